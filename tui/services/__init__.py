"""What the TUI alone needs beside its screens (the clipboard); the headless services
live in app/services/."""
