"""Prompts: schema representations, schema linking, example selection and organisation, the builder."""
