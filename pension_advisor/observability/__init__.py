"""Tracing: MLflow autologging plus explicit spans, dual-exported over OTLP, with redaction and flushing."""
