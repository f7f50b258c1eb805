"""The plugin front end: the ``avosms`` provider plugin every Pulumi language can use.

The dynamic front end (``pulumi_avosms.ContactList`` ...) serves Python programs; this one
serves TypeScript, YAML, Go, C#, Java (and Python, through a generated SDK) with the same
rules: :mod:`.provider` translates the engine's requests to the dynamic providers' methods,
:mod:`.fields` names every property once, :mod:`.schema` builds the package schema from
those tables. ``python -m pulumi_avosms.plugin <engine address>`` serves it; docs/plugin.md
says how a program of another language installs it.
"""
