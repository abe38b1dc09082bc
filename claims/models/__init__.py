"""The domain's models, one module per entity family."""

from .claims import *  # noqa: F403
from .documents import *  # noqa: F403
from .links import *  # noqa: F403
from .measures import *  # noqa: F403
from .reviews import *  # noqa: F403
from .sources import *  # noqa: F403
from .topics import *  # noqa: F403
