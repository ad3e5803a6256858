"""Performance improvement plans (PIPs): expectations as measurable goals, check-ins, outcome."""
