"""All ORM models, imported here so metadata and Alembic see every table."""

from barberbot.models.access import PasswordReset, SignInFailure, UserSession
from barberbot.models.base import Base
from barberbot.models.campaign import (
    Campaign,
    CampaignAttribution,
    CampaignRecipient,
    CampaignSettings,
    CampaignStatus,
    RecipientStatus,
    Segment,
)
from barberbot.models.customer import (
    Channel,
    ConsentEvent,
    ConsentState,
    Customer,
    CustomerContact,
    CustomerDay,
    CustomerInquiry,
)
from barberbot.models.form import FormVersion, InquiryAnswers
from barberbot.models.inbox import (
    EventKind,
    InboxNotification,
    InboxSettings,
    InquiryAcknowledgement,
    InquiryEvent,
    InquiryNote,
    InquiryReply,
    NotificationKind,
    Notify,
    ReplyStatus,
    SavedReply,
)
from barberbot.models.inquiry import Gender, Inquiry, InquiryStatus, Outcome, Source
from barberbot.models.rollup import RollupAge, RollupCount, RollupHour
from barberbot.models.search import InquiryTerm, SearchMark
from barberbot.models.settled import LateDay, SettledMark
from barberbot.models.shop import Shop, ShopLogo, ShopSettingsVersion
from barberbot.models.user import ApiToken, Membership, Role, User

__all__ = [
    "ApiToken",
    "Base",
    "Campaign",
    "CampaignAttribution",
    "CampaignRecipient",
    "CampaignSettings",
    "CampaignStatus",
    "Channel",
    "ConsentEvent",
    "ConsentState",
    "Customer",
    "CustomerContact",
    "CustomerDay",
    "CustomerInquiry",
    "EventKind",
    "FormVersion",
    "Gender",
    "InboxNotification",
    "InboxSettings",
    "Inquiry",
    "InquiryAcknowledgement",
    "InquiryAnswers",
    "InquiryEvent",
    "InquiryNote",
    "InquiryReply",
    "InquiryStatus",
    "InquiryTerm",
    "LateDay",
    "Membership",
    "NotificationKind",
    "Notify",
    "Outcome",
    "PasswordReset",
    "RecipientStatus",
    "ReplyStatus",
    "Role",
    "RollupAge",
    "RollupCount",
    "RollupHour",
    "SavedReply",
    "SearchMark",
    "Segment",
    "SettledMark",
    "Shop",
    "ShopLogo",
    "ShopSettingsVersion",
    "SignInFailure",
    "Source",
    "User",
    "UserSession",
]
