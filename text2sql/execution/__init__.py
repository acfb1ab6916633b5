"""Running and judging SQL: the sandboxed executor, the EX metric, answer extraction, voting, rewards."""
