"""The answering service and the adapters (console, Telegram, command line) that put people in touch with it."""
