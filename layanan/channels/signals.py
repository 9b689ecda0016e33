from django.dispatch import Signal

# Sent after commit when the webhook stored WhatsApp events or the poller stored e-mails:
# kwargs kind ("whatsapp" or "email") and ids. tasks.py's receiver (connected in
# ChannelsConfig.ready) queues the processing; views and the poller never import the worker.
inbound_stored = Signal()
