"""The reviewer pages: views, forms, URLs, template tags, templates, and the
presentation code (chart geometry, colours, quote marking) that turns the domain's
reads into what a page draws. Imports the domain, never the API."""
