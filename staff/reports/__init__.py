"""Reports built from aggregates: the yearly training (administrative-reform) report and its scopes."""
