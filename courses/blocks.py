"""StreamField blocks for course and workshop bodies."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock


class ModuleBlock(blocks.StructBlock):
    """One module of the programme, with its share of the periods."""

    title = blocks.CharBlock(label=_("title"))
    periods = blocks.IntegerBlock(label=_("periods"), min_value=1, required=False)
    description = blocks.RichTextBlock(label=_("description"), required=False,
                                       features=["bold", "italic", "ol", "ul", "link"])

    class Meta:
        icon = "list-ol"
        label = _("Module")
        template = "blocks/module_block.html"


class CourseBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("Heading"), form_classname="title", template="blocks/heading_block.html")
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=["bold", "italic", "ol", "ul", "link", "h3"])
    module = ModuleBlock()
    image = ImageBlock(label=_("Image"))
    document = DocumentChooserBlock(label=_("Document"), template="blocks/document_block.html")


class ContactBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("name"))
    role = blocks.CharBlock(label=_("position"), required=False)
    phone = blocks.CharBlock(label=_("phone"), required=False)
    email = blocks.EmailBlock(label=_("e-mail"), required=False)

    class Meta:
        icon = "user"
        label = _("Contact")


class PracticeBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("Heading"), form_classname="title", template="blocks/heading_block.html")
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=["bold", "italic", "ol", "ul", "link", "h3"])
    step = blocks.StructBlock([
        ("title", blocks.CharBlock(label=_("title"))),
        ("description", blocks.RichTextBlock(label=_("description"), required=False,
                                             features=["bold", "italic", "ol", "ul", "link"])),
    ], icon="list-ol", label=_("Step"))
    image = ImageBlock(label=_("Image"))
    document = DocumentChooserBlock(label=_("Document"), template="blocks/document_block.html")
    contact = ContactBlock()
