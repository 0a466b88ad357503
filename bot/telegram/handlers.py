"""The handlers: each short one answers one thing a reader does, by asking the answering service and rendering."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from .. import render as plain_render
from ..answers import Answer
from ..filters import FilterError, split_prefix
from . import render
from .state import Newsbot

MORE, CONTEXT = "more", "context"  # a button's callback_data: one of these, a space, the id of its answer

logger = logging.getLogger("newsbot.telegram")


# -- commands -----------------------------------------------------------------------------------
async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = render.GREETING.format(how=_how_to_ask(update, context))
    await _send(update.effective_message, render.plain_message(await _with_newest(context, text)))


async def help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:  # noqa: A001 - the command's name
    text = render.HELP.format(how=_how_to_ask(update, context))
    await _send(update.effective_message, render.plain_message(await _with_newest(context, text)))


async def _with_newest(context: ContextTypes.DEFAULT_TYPE, text: str) -> str:
    """`text` and what the articles hold: the newest one's headline, outlet and day (read off the event
    loop: an archive's list of articles is long)."""
    source = await asyncio.to_thread(_newsbot(context).service.newest_source)
    newest = plain_render.newest_article(source, "/sources")
    return f"{text}\n\n{newest}" if newest else text


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send(update.effective_message, render.plain_message(render.about(await asyncio.to_thread(_newsbot(context).service.sources))))


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send(update.effective_message, render.sources_message(await asyncio.to_thread(_newsbot(context).service.sources)))


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask question"""
    parts = (update.effective_message.text or "").split(maxsplit=1)
    question = parts[1].strip() if len(parts) > 1 else ""
    if not question:
        await _send(update.effective_message, render.plain_message(render.ASK_AFTER_THE_COMMAND))
        return
    await _answer_question(update, context, question)


async def more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/more: the next-best answer to the chat's latest question."""
    await _answer_more(update, context, update.effective_message, after=None)


async def paragraph(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/context: the paragraph around the chat's latest answer."""
    await _answer_context(update, context, None)


async def new(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/new: forget the thread, so the next question is read on its own."""
    message = update.effective_message
    state = _newsbot(context).chats[_conversation_key(update)]
    async with state.lock:
        state.conversation.new()
    await _send(message, render.plain_message(render.STARTED_AFRESH))


# -- messages -----------------------------------------------------------------------------------
async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _answer_question(update, context, update.effective_message.text)


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group: answer a mention of the bot or a reply to one of its messages; stay quiet otherwise."""
    question = _addressed_question(update.effective_message, context.bot.id, context.bot.username)
    if question is not None:
        await _answer_question(update, context, question)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send(update.effective_message, render.plain_message(render.UNKNOWN_COMMAND + render.HELP.format(how="")))


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send(update.effective_message, render.plain_message(render.NOT_TEXT))


# -- buttons: each carries the id of the answer it is under -------------------------------------
async def more_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pressed = await _pressed(update, context)
    if pressed is not None:
        message, answer = pressed
        await _answer_more(update, context, message, after=answer, button=update.callback_query.data.split(" ", 1)[1])


async def context_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    pressed = await _pressed(update, context)
    if pressed is not None:
        _, answer = pressed
        await _answer_context(update, context, answer)


async def unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button newsbot never made (or an older version's): confirm the press so the client stops waiting."""
    await update.callback_query.answer(render.BUTTON_EXPIRED)


async def _pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> tuple[Message, Answer] | None:
    """The message a button is under and the answer it acts on; the press is confirmed to Telegram either way."""
    query = update.callback_query
    if not isinstance(query.message, Message):
        await query.answer(render.MESSAGE_TOO_OLD)
        return None
    answer = _newsbot(context).buttons.find(query.data.split(" ", 1)[1])
    if answer is None:  # too many answers since, or a restart
        await query.answer(render.BUTTON_EXPIRED)
        return None
    await query.answer()
    return query.message, answer


# -- answering ----------------------------------------------------------------------------------
async def _answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    message, newsbot = update.effective_message, _newsbot(context)
    if not await _within_limit(update, newsbot, message):
        return
    try:  # since:2024-06-01 until:… source:"Harbour Times" before the question
        filters, question = split_prefix(question)
    except FilterError as err:
        await _send(message, render.plain_message(str(err)))
        return
    if not question:
        await _send(message, render.plain_message(render.ASK_AFTER_THE_FILTERS))
        return
    state = newsbot.chats[_conversation_key(update)]
    replied_to = _replied_answer(message, newsbot, context.bot.id)
    async with state.lock:
        if replied_to is not None:  # a reply to one of the bot's answers asks about that answer
            state.conversation.lean_on(replied_to)
        async with _typing(message):
            answer = state.conversation.ask(question, filters=filters)
            text = render.answer_message(answer, render.HELP.format(how=""))
        await _send(message, text, _buttons(newsbot, answer))


def _replied_answer(message: Message, newsbot: Newsbot, bot_id: int) -> Answer | None:
    """The answer a message replies to, when it replies to one of the bot's answers whose buttons still
    work (they carry the answer's id), else None."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != bot_id or replied.reply_markup is None:
        return None
    for row in replied.reply_markup.inline_keyboard:
        for button in row:
            kind, _, key = str(button.callback_data or "").partition(" ")
            if kind in (MORE, CONTEXT) and key:
                return newsbot.buttons.find(key)
    return None


async def _answer_more(update: Update, context: ContextTypes.DEFAULT_TYPE, message: Message,
                       after: Answer | None, button: str | None = None) -> None:
    """Reply to `message` with the next-best answer after `after` (None: after the chat's latest answer).
    `button`: the id of the More button pressed, which goes on from the answer it gave last when pressed
    again (as `more` does in the console), rather than giving the same one twice."""
    newsbot = _newsbot(context)
    if not await _within_limit(update, newsbot, message):
        return
    who = _conversation_key(update)
    state = newsbot.chats[who]
    async with state.lock:  # a double press: the second waits for the first's answer, then goes on from it
        if after is None and state.conversation.latest is None:
            await _send(message, render.plain_message(render.ASK_FIRST))
            return
        if button is not None:  # (each reader of a group goes on from what the button gave them)
            after = newsbot.buttons.continued(button, who) or after
        async with _typing(message):
            answer = state.conversation.more(after)
            text = render.answer_message(answer, render.HELP.format(how=""))
        await _send(message, text, _buttons(newsbot, answer))
        if button is not None and answer.passages:
            newsbot.buttons.gave(button, who, answer)


async def _answer_context(update: Update, context: ContextTypes.DEFAULT_TYPE, answer: Answer | None) -> None:
    """The paragraph around `answer`'s passage (None: around the chat's latest answer)."""
    message, newsbot = update.effective_message, _newsbot(context)
    state = newsbot.chats[_conversation_key(update)]
    async with state.lock:  # after the chat's questions asked before it
        answer = answer or state.conversation.latest
        passage = answer.passages[0] if answer and answer.passages else None
        if passage is None:
            await _send(message, render.plain_message(render.ASK_FIRST))
            return
        around = newsbot.service.context(passage)
        if around is None:
            await _send(message, render.plain_message(plain_render.NO_PARAGRAPH if passage.about else render.ARTICLE_GONE))
            return
        await _send(message, render.context_message(around, passage))


async def _within_limit(update: Update, newsbot: Newsbot, message: Message) -> bool:
    """True when the reader may ask now; otherwise they are asked to wait."""
    reader = update.effective_user.id if update.effective_user else 0
    if newsbot.limiter.allow(reader):
        return True
    if not newsbot.limiter.first_refusal(reader):
        logger.info("a reader over the question limit was not answered (already told to wait)")
        return False
    await _send(message, render.plain_message(render.SLOW_DOWN.format(limit=newsbot.settings.questions_per_minute)))
    return False


@contextlib.asynccontextmanager
async def _typing(message: Message):
    """Show "typing…" while the answer is found; a failure to show it never stops the answer."""
    action = asyncio.create_task(message.get_bot().send_chat_action(message.chat_id, ChatAction.TYPING))
    await asyncio.sleep(0)  # let the indicator go out before the (synchronous) search starts
    try:
        yield
    finally:
        try:
            await action
        except TelegramError as err:
            logger.info("typing indicator not shown in a chat: %s", err)


def _buttons(newsbot: Newsbot, answer: Answer) -> InlineKeyboardMarkup | None:
    """More and Context under an answer with passages, acting on that answer."""
    if not answer.passages:
        return None
    key = newsbot.buttons.keep(answer)
    return InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data=f"{MORE} {key}"),
                                  InlineKeyboardButton("Context", callback_data=f"{CONTEXT} {key}")]])


async def _send(message: Message, html: str, buttons: InlineKeyboardMarkup | None = None) -> Message:
    """Reply to `message`, with `buttons` under it."""
    return await message.get_bot().send_message(
        message.chat_id,
        html,
        parse_mode=ParseMode.HTML,
        reply_markup=buttons,
        reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        message_thread_id=message.message_thread_id if message.is_topic_message else None,
    )


# -- failures and strangers ---------------------------------------------------------------------
async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what failed and tell the reader, if there is one, that something went wrong."""
    error = context.error
    logger.error("answering an update failed: %s: %s", type(error).__name__, error,
                 exc_info=(type(error), error, error.__traceback__) if error else None)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(error, Forbidden):
        return  # the bot was blocked or removed: there is no one to tell
    try:
        await context.bot.send_message(update.effective_chat.id, render.SOMETHING_WRONG)
    except TelegramError as err:
        logger.error("could not tell the reader either: %s", err)


async def gatekeeper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """With an allow-list, let through only updates from the chats on it; ignore the rest quietly."""
    chat = update.effective_chat
    if chat is not None and chat.id in (_newsbot(context).settings.allowed_chats or ()):
        return
    logger.info("ignoring an update from chat %s, which is not on the allow-list", chat.id if chat else "?")
    if update.callback_query:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    raise ApplicationHandlerStop


def _conversation_key(update: Update) -> int | tuple[int, int]:
    """Whose conversation a message belongs to: the chat's in a private chat, each reader's own in a
    group (two readers' follow-ups never mix)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or chat.type == "private" or user is None:
        return chat.id if chat else 0
    return (chat.id, user.id)


def _newsbot(context: ContextTypes.DEFAULT_TYPE) -> Newsbot:
    return context.bot_data["newsbot"]


def _how_to_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    chat = update.effective_chat
    if chat is not None and chat.type != "private":
        return render.HOW_TO_ASK_IN_GROUPS.format(username=context.bot.username)
    return ""


def _addressed_question(message: Message, bot_id: int, bot_username: str | None) -> str | None:
    """The question in a group message addressed to the bot, or None when it is not for the bot."""
    text = message.text or ""
    replied = message.reply_to_message
    addressed = bool(replied and replied.from_user and replied.from_user.id == bot_id)
    spans = []
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        mine = (entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id) or (
            entity.type == MessageEntity.MENTION and bot_username and value.lower() == f"@{bot_username.lower()}")
        if mine:
            addressed = True
            spans.append(value)
    if not addressed:
        return None
    for value in spans:
        text = text.replace(value, " ")
    return " ".join(text.split()).strip(" ,:") or ""
