from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """``mapping|get_item:key`` for dicts built by selectors (templates cannot index by a variable)."""
    if not mapping:
        return None
    return mapping.get(key)
