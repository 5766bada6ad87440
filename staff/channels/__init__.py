"""How messages reach officials: e-mail, SMS and Zalo ZNS behind one interface (``Channel.send``).

``get_channel("sms")`` builds the backend named in ``settings.MESSAGE_CHANNELS``; backends that speak to a
provider over HTTP follow its published API and are tested against a local HTTP server that checks each
request (tests/staff/accounts/test_channels.py). The console backend prints, for development.
"""

from staff.channels.base import Channel, ChannelError, Message, get_channel

__all__ = ["Channel", "ChannelError", "Message", "get_channel"]
