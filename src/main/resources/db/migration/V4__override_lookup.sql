-- The override memory's lookup (docs/feedback.md): without this index the database can only start
-- from the patient's cards, every card the patient was ever shown, each then probed for an
-- override. With it, the planner can start from the overrides in the remembered window instead
-- when they are fewer (no or few overrides, patients with long histories). Portable SQL.
CREATE INDEX feedback_overridden ON feedback (outcome, outcome_at);
