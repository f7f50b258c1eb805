from pulumi_avosms.plugin.__main__ import main

main()
