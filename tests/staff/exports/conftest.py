"""The export tests' shared data: a ward whose names and cells try every spreadsheet trick."""

import pytest

from tests.staff.export_data import hostile_world


@pytest.fixture
def hostile(ward_a, training_centre):
    return hostile_world(ward_a=ward_a, training_centre=training_centre)
