"""The Telegram adapter: newsbot's sourced answers in Telegram chats, through python-telegram-bot.

settings.py what the operator chose and the token; cli.py the `newsbot telegram` subcommand; app.py
the Application put together with the builder and run; handlers.py one short handler per thing a
reader does; state.py per-chat conversations, per-reader limits and the answers the buttons act on;
render.py the words and Telegram HTML a reader sees (markup.py the escaping and size rules under it);
transport.py the HTTP requests and send retries.
"""
