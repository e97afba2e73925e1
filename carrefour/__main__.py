from carrefour.cli import main

main()
