import os
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
import pytest
from tests.browser.conftest import *  # noqa

@pytest.mark.parametrize("viewport", [{"width": 375, "height": 812}])
def test_probe(page, viewport):
    page.goto("/khoa-hoc/")
    print(page.evaluate("""() => {
      const out = [];
      for (const el of document.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.right > window.innerWidth + 0.5) out.push([el.tagName, el.className, el.id, Math.round(r.left), Math.round(r.right), Math.round(r.width), (el.getAttribute('name')||'')]);
      }
      return out.slice(0, 40);
    }"""))
