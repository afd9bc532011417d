from radar.cli import main

main()
