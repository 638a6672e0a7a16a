"""CMS models: page types (``pages``) and the editor-managed menus and footer (``navigation``)."""

from cms.models.navigation import FooterSettings, Menu, MenuItem
from cms.models.pages import (
    BasePage,
    BrandPage,
    Channel,
    ChannelFormField,
    ChannelPage,
    ContentPage,
    HomePage,
    SectionPage,
    StoryIndexPage,
    StoryPage,
    StoryPageTag,
)

__all__ = [
    "BasePage",
    "BrandPage",
    "Channel",
    "ChannelFormField",
    "ChannelPage",
    "ContentPage",
    "FooterSettings",
    "HomePage",
    "Menu",
    "MenuItem",
    "SectionPage",
    "StoryIndexPage",
    "StoryPage",
    "StoryPageTag",
]
