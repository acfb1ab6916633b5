"""Training sets made from prompts: SFT rows, corruptions of gold SQL, execution-verified DPO pairs."""
