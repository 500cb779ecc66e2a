//! Python bindings (filled in by the Python bridge work).
