-- Placer order numbers (ORC-4): one per released requisition, from a sequence the application
-- may draw from but not reset.
CREATE SEQUENCE placer_order_seq AS bigint START 1000;
GRANT USAGE ON SEQUENCE placer_order_seq TO nexession_app;
