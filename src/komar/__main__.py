from komar.cli import main

main()
