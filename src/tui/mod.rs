//! The console: The Elm Architecture (state, messages, a pure update, views that only draw).
