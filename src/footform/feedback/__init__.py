"""The feedback engine: rules as data (rules/*.toml), the form metrics they judge, flags with evidence."""
