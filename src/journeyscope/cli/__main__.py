from journeyscope.cli import main

main()
