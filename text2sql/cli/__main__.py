from text2sql.cli import main

main()
