#!/usr/bin/env python3
"""Generate Cairn's bundled example dbt project: "Cairn Outfitters".

Cairn Outfitters is a fictional outdoor-gear web shop.  Its analytics team runs
dbt on PostgreSQL (database `analytics`) over three source systems: the shop's
application database (replicated by Airbyte), Stripe (Fivetran) and Snowplow
web events.  This script writes the artifacts a `dbt build` + `dbt docs
generate` + `dbt source freshness` of that project would leave behind, in the
layout of dbt 1.10 (manifest v12, run_results v6, catalog v1, sources v3):

  OUT/target/manifest.json           the project: sources, seeds, a snapshot,
                                     staging / intermediate / marts models,
                                     generic + singular + unit tests, exposures,
                                     a semantic model, metrics, docs blocks,
                                     groups, parent_map / child_map
  OUT/target/catalog.json            warehouse columns and types
  OUT/target/run_results.json        the latest nightly `dbt build`
  OUT/target/sources.json            the latest `dbt source freshness`
  OUT/target_previous/manifest.json  the same project as seen by the build the
  OUT/target_previous/run_results.json  night before (other invocation_id,
                                     other test statuses) -> test history

Nothing is random at run time: the output is byte-for-byte the same on every
run (ids, timestamps and durations are derived from names).  Standard library
only; no network.

Usage:  python3 generate_example_project.py --out DIR
"""

import argparse
import hashlib
import json
import os
import re
import sys
import uuid
from datetime import datetime, timedelta, timezone

PROJECT = "cairn_outfitters"
DATABASE = "analytics"
ADAPTER = "postgres"
DBT_VERSION = "1.10.11"
TEST_SCHEMA = "dbt_test__audit"
ROOT_PATH = "/opt/cairn-outfitters/analytics"

# The nightly build of the "current" artifacts, and the one the night before.
CURRENT_START = datetime(2025, 6, 3, 4, 0, 7, 118204, tzinfo=timezone.utc)
PREVIOUS_START = datetime(2025, 6, 2, 4, 0, 5, 903117, tzinfo=timezone.utc)
PARSED_AT = 1748923207.0  # created_at of every parsed resource (2025-06-03 04:00 UTC)

SCHEMAS = {
    "m": "https://schemas.getdbt.com/dbt/manifest/v12.json",
    "rr": "https://schemas.getdbt.com/dbt/run-results/v6.json",
    "cat": "https://schemas.getdbt.com/dbt/catalog/v1.json",
    "src": "https://schemas.getdbt.com/dbt/sources/v3.json",
}

OWNERS = {
    "platform": "data-platform@cairn-outfitters.example",
    "ae": "analytics-engineering@cairn-outfitters.example",
    "finance": "finance-analytics@cairn-outfitters.example",
    "growth": "growth-analytics@cairn-outfitters.example",
    "cx": "customer-experience@cairn-outfitters.example",
}

# --------------------------------------------------------------------------
# Deterministic helpers
# --------------------------------------------------------------------------


def md5(s):
    return hashlib.md5(s.encode("utf-8")).hexdigest()


def sha256(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def det_uuid(*parts):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "cairn-outfitters/" + "/".join(parts)))


def det_int(lo, hi, *parts):
    """A stable pseudo-random integer in [lo, hi] derived from parts."""
    return lo + int(md5("|".join(parts))[:8], 16) % (hi - lo + 1)


def det_float(lo, hi, *parts):
    return lo + (int(md5("|".join(parts))[8:16], 16) / 0xFFFFFFFF) * (hi - lo)


def iso_z(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_offset(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def refobj(name, version=None):
    return {"name": name, "package": None, "version": version}


# --------------------------------------------------------------------------
# Docs blocks (docs/*.md).  Descriptions that use {{ doc('x') }} carry the
# rendered text, as dbt writes them, and list the block in `doc_blocks`.
# --------------------------------------------------------------------------

DOCS = {
    "__overview__": ("docs/overview.md", """# Cairn Outfitters analytics

Cairn Outfitters sells tents, packs, footwear and climbing gear online. This dbt project turns
the raw data of three systems into the tables the company runs on:

| source | loaded by | what it holds |
|---|---|---|
| `shop` | Airbyte, every 30 minutes | the storefront database: customers, orders, order items, products |
| `stripe` | Fivetran, hourly | payments (charges) and refunds |
| `web_events` | Snowplow, streaming | sessions and page views of cairn-outfitters.example |

Layers: **staging** (one view per source table, renamed and typed), **intermediate** (joins and
business logic) and **marts** (`core`, `finance`, `marketing`): the tables dashboards and
notebooks read. Revenue is always reported **net of refunds** unless a column says `gross`.

Owners: the data platform team owns staging; analytics engineering owns intermediate; each
mart folder is owned by the team named in its `meta.owner`."""),
    "order_status": ("models/marts/core/_docs.md", """One of the following values:

| status | definition |
|---|---|
| placed | The customer paid; the order is waiting in the warehouse |
| shipped | The order left the warehouse and has a tracking number |
| delivered | The carrier confirmed delivery |
| returned | All items came back and the order was refunded |
| cancelled | The order was cancelled before it shipped |"""),
    "net_revenue": ("models/marts/finance/_docs.md", """**Net revenue** in US dollars: what the customer paid for the order (items plus shipping,
after discounts) minus everything refunded on it through Stripe. Taxes are excluded.
This is the revenue figure finance reports; `gross_item_amount` is before refunds."""),
    "lifetime_value": ("models/marts/core/_docs.md", """Customer lifetime value (LTV): the customer's total **net revenue** over all of their orders
since their first purchase, in US dollars, after refunds."""),
    "refund_reasons": ("models/marts/finance/_docs.md", """Why Stripe refunded the payment, as entered by the support agent:

- `requested_by_customer`: a return within the 60-day return window
- `duplicate`: the customer was charged twice for one order
- `fraudulent`: the payment was disputed as fraud
- `damaged_in_transit`: custom reason: the carrier damaged the goods"""),
    "fct_orders": ("models/marts/core/_docs.md", """Orders fact table: one row per order placed on the Cairn Outfitters web shop, with its
items, payments, refunds and **net revenue**, and the marketing channel of the web session that
converted. Built incrementally: each run reprocesses orders placed in the last three days, so
late payments and refunds are picked up."""),
}


def doc_text(name):
    return DOCS[name][1]


def doc_id(name):
    return "doc.%s.%s" % (PROJECT, name)


# --------------------------------------------------------------------------
# Columns: (name, postgres type, description or a ("doc", name) reference)
# --------------------------------------------------------------------------

INT, BIG, TEXT, NUM, TS, TSTZ, DATE, BOOL, DBL = (
    "integer", "bigint", "text", "numeric(12,2)", "timestamp without time zone",
    "timestamp with time zone", "date", "boolean", "double precision")

# ---- sources --------------------------------------------------------------

SOURCE_SYSTEMS = [
    {
        "name": "shop", "schema": "raw_shop", "loader": "airbyte",
        "description": "Replica of the Cairn Outfitters storefront application database "
                       "(PostgreSQL), synced by Airbyte every 30 minutes.",
        "loaded_at_field": "_airbyte_extracted_at",
        "freshness": ((2, "hour"), (6, "hour")),
        "meta": {"owner": OWNERS["platform"], "system": "storefront"},
        "tags": ["shop", "pii"],
        "tables": [
            ("customers", "customers", "One row per customer account created on the web shop. "
             "Contains personal data (email, names).", [
                ("id", INT, "Customer id, primary key of the storefront `customers` table."),
                ("email", TEXT, "Login email of the customer (PII)."),
                ("first_name", TEXT, "First name (PII)."),
                ("last_name", TEXT, "Last name (PII)."),
                ("country_code", "character(2)", "ISO 3166-1 alpha-2 shipping country."),
                ("marketing_opt_in", BOOL, "Whether the customer agreed to marketing email."),
                ("created_at", TS, "When the account was created (UTC)."),
                ("updated_at", TS, "Last change to the account (UTC)."),
                ("_airbyte_extracted_at", TSTZ, "When Airbyte extracted the row."),
            ], None),
            ("orders", "orders", "One row per customer order placed on the web shop, "
             "with its status, shipping and discount.", [
                ("id", INT, "Order id, primary key."),
                ("customer_id", INT, "The customer who placed the order."),
                ("status", TEXT, "Fulfilment status of the order."),
                ("shipping_method", TEXT, "standard, express or pickup."),
                ("shipping_cost_cents", INT, "Shipping charged to the customer, in cents."),
                ("discount_code", TEXT, "Promotion code applied at checkout, if any."),
                ("ordered_at", TS, "When the order was placed (UTC)."),
                ("shipped_at", TS, "When the order left the warehouse."),
                ("delivered_at", TS, "When the carrier confirmed delivery."),
                ("_airbyte_extracted_at", TSTZ, "When Airbyte extracted the row."),
            ], None),
            ("order_items", "order_items", "One row per product line in an order.", [
                ("id", INT, "Order item id, primary key."),
                ("order_id", INT, "The order this line belongs to."),
                ("product_id", INT, "The product ordered."),
                ("quantity", INT, "Units ordered."),
                ("unit_price_cents", INT, "Price per unit at the time of the order, in cents."),
                ("_airbyte_extracted_at", TSTZ, "When Airbyte extracted the row."),
            ], None),
            ("products", "products", "The product catalogue: tents, packs, footwear, "
             "climbing and camp kitchen gear. Changes rarely; snapshotted nightly.", [
                ("id", INT, "Product id, primary key."),
                ("sku", TEXT, "Stock keeping unit printed on the label."),
                ("name", TEXT, "Product name shown in the shop."),
                ("category_id", INT, "Category, see the `product_categories` seed."),
                ("brand", TEXT, "Brand of the product."),
                ("price_cents", INT, "Current list price in cents."),
                ("is_discontinued", BOOL, "No longer sold."),
                ("updated_at", TS, "Last change to the product."),
                ("_airbyte_extracted_at", TSTZ, "When Airbyte extracted the row."),
            ], "none"),
        ],
    },
    {
        "name": "stripe", "schema": "raw_stripe", "loader": "fivetran",
        "description": "Stripe payments data, synced hourly by Fivetran. Amounts are in cents.",
        "loaded_at_field": "_fivetran_synced",
        "freshness": ((12, "hour"), (24, "hour")),
        "meta": {"owner": OWNERS["finance"], "system": "stripe"},
        "tags": ["stripe", "finance"],
        "tables": [
            ("payments", "charge", "Stripe charges: one row per payment attempt for an order. "
             "The order id is kept in the charge metadata.", [
                ("id", TEXT, "Stripe charge id (ch_...)."),
                ("order_id", INT, "Shop order id from the charge metadata."),
                ("payment_method", TEXT, "credit_card, paypal or gift_card."),
                ("status", TEXT, "succeeded, pending or failed."),
                ("amount", BIG, "Amount charged, in cents."),
                ("currency", "character(3)", "ISO 4217 currency code."),
                ("created", TSTZ, "When the charge was created."),
                ("_fivetran_synced", TSTZ, "When Fivetran last synced the row."),
            ], None),
            ("refunds", "refund", "Stripe refunds: money returned to the customer for a charge, "
             "in full or in part.", [
                ("id", TEXT, "Stripe refund id (re_...)."),
                ("charge_id", TEXT, "The refunded charge."),
                ("amount", BIG, "Amount refunded, in cents."),
                ("reason", TEXT, "Refund reason entered by support."),
                ("status", TEXT, "succeeded, pending or failed."),
                ("created", TSTZ, "When the refund was issued."),
                ("_fivetran_synced", TSTZ, "When Fivetran last synced the row."),
            ], None),
        ],
    },
    {
        "name": "web_events", "schema": "raw_snowplow", "loader": "snowplow",
        "description": "Snowplow behavioural data from cairn-outfitters.example, modelled "
                       "into sessions and page views by the Snowplow loader.",
        "loaded_at_field": "collector_tstamp",
        "freshness": ((1, "hour"), (3, "hour")),
        "meta": {"owner": OWNERS["growth"], "system": "snowplow"},
        "tags": ["web"],
        "tables": [
            ("sessions", "sessions", "One row per web session (30 minutes of inactivity ends "
             "a session), with its marketing attribution parameters.", [
                ("domain_sessionid", TEXT, "Session id set by the Snowplow tracker."),
                ("domain_userid", TEXT, "First-party cookie id of the browser."),
                ("user_id", INT, "Shop customer id once the visitor logs in."),
                ("first_page_url", TEXT, "Landing page of the session."),
                ("referrer_url", TEXT, "Referring URL."),
                ("mkt_source", TEXT, "utm_source of the landing page."),
                ("mkt_medium", TEXT, "utm_medium of the landing page."),
                ("mkt_campaign", TEXT, "utm_campaign of the landing page."),
                ("device_class", TEXT, "Desktop, Phone or Tablet."),
                ("min_tstamp", TSTZ, "First event of the session."),
                ("max_tstamp", TSTZ, "Last event of the session."),
                ("collector_tstamp", TSTZ, "When the collector received the last event."),
            ], None),
            ("page_views", "page_views", "One row per page view, with engaged time.", [
                ("event_id", TEXT, "Snowplow event id of the page view."),
                ("domain_sessionid", TEXT, "Session of the page view."),
                ("page_url", TEXT, "URL of the page."),
                ("page_title", TEXT, "Title of the page."),
                ("page_view_start", TSTZ, "When the page was opened."),
                ("time_engaged_in_s", INT, "Seconds the page was in focus."),
                ("collector_tstamp", TSTZ, "When the collector received the event."),
            ], None),
        ],
    },
]

SEEDS = [
    ("country_codes", "ISO 3166 countries Cairn Outfitters ships to, with the sales region "
     "each belongs to.", [
        ("country_code", TEXT, "ISO 3166-1 alpha-2 code."),
        ("country_name", TEXT, "English short name."),
        ("region", TEXT, "Sales region: North America, Europe, Oceania."),
        ("is_eu", BOOL, "Member of the European Union (VAT rules)."),
    ], 38),
    ("product_categories", "Merchandising categories of the product catalogue, grouped into "
     "departments.", [
        ("category_id", INT, "Category id used by the shop."),
        ("category_name", TEXT, "Category name, e.g. Backpacking Tents."),
        ("department", TEXT, "Department: Camping, Footwear, Climbing, Apparel, Packs."),
        ("is_seasonal", BOOL, "Sold mainly in spring and summer."),
    ], 24),
]

# --------------------------------------------------------------------------
# Models.  raw SQL uses ref()/source()/macros; compiled SQL is rendered from
# it below.  Columns: (name, type, description); description may be
# ("doc", block) to use a docs block.  Column tests: see TESTS.
# --------------------------------------------------------------------------

M = []


def model(name, folder, materialized, description, columns, raw, owner, tags, **kw):
    d = dict(name=name, folder=folder, materialized=materialized, description=description,
             columns=columns, raw=raw, owner=owner, tags=tags)
    d.update(kw)
    M.append(d)


# ---- staging (views) -------------------------------------------------------

model("stg_shop__customers", "staging/shop", "view",
      "Customers of the web shop, one row per customer account, with cleaned emails and "
      "names. PII: restricted to the `analytics_pii` role.",
      [("customer_id", INT, "Primary key of the customer."),
       ("email", TEXT, "Lower-cased login email (PII)."),
       ("first_name", TEXT, "First name (PII)."),
       ("last_name", TEXT, "Last name (PII)."),
       ("country_code", "character(2)", "Shipping country, ISO 3166-1 alpha-2."),
       ("has_marketing_opt_in", BOOL, "The customer agreed to marketing email."),
       ("created_at", TS, "When the account was created."),
       ("updated_at", TS, "")],
      """with source as (

    select * from {{ source('shop', 'customers') }}

),

renamed as (

    select
        id as customer_id,
        lower(trim(email)) as email,
        initcap(first_name) as first_name,
        initcap(last_name) as last_name,
        upper(country_code) as country_code,
        coalesce(marketing_opt_in, false) as has_marketing_opt_in,
        created_at,
        updated_at
    from source

)

select * from renamed
""", "platform", ["staging", "shop", "pii"])

model("stg_shop__orders", "staging/shop", "view",
      "Orders placed on the web shop, one row per order, with status, shipping cost in dollars "
      "and fulfilment timestamps.",
      [("order_id", INT, "Primary key of the order."),
       ("customer_id", INT, "The customer who placed the order."),
       ("order_status", TEXT, ("doc", "order_status")),
       ("shipping_method", TEXT, "standard, express or pickup."),
       ("shipping_cost", NUM, "Shipping charged to the customer, in dollars."),
       ("discount_code", TEXT, "Promotion code applied at checkout."),
       ("ordered_at", TS, "When the order was placed (UTC)."),
       ("shipped_at", TS, "When the order shipped."),
       ("delivered_at", TS, "When the order was delivered.")],
      """with source as (

    select * from {{ source('shop', 'orders') }}

),

renamed as (

    select
        id as order_id,
        customer_id,
        lower(status) as order_status,
        shipping_method,
        {{ cents_to_dollars('shipping_cost_cents') }} as shipping_cost,
        nullif(trim(discount_code), '') as discount_code,
        ordered_at,
        shipped_at,
        delivered_at
    from source
    where status != 'test'

)

select * from renamed
""", "platform", ["staging", "shop"])

model("stg_shop__order_items", "staging/shop", "view",
      "Order lines: one row per product in an order, with unit price and line total in dollars.",
      [("order_item_id", INT, "Primary key of the order line."),
       ("order_id", INT, "The order."),
       ("product_id", INT, "The product ordered."),
       ("quantity", INT, "Units ordered."),
       ("unit_price", NUM, "Price per unit in dollars when the order was placed."),
       ("line_total", NUM, "quantity x unit_price, in dollars.")],
      """with source as (

    select * from {{ source('shop', 'order_items') }}

)

select
    id as order_item_id,
    order_id,
    product_id,
    quantity,
    {{ cents_to_dollars('unit_price_cents') }} as unit_price,
    {{ cents_to_dollars('quantity * unit_price_cents') }} as line_total
from source
""", "platform", ["staging", "shop"])

model("stg_shop__products", "staging/shop", "view",
      "Products of the catalogue, one row per product, with list price in dollars.",
      [("product_id", INT, "Primary key of the product."),
       ("sku", TEXT, "Stock keeping unit."),
       ("product_name", TEXT, "Name shown in the shop."),
       ("category_id", INT, "Merchandising category."),
       ("brand", TEXT, "Brand."),
       ("list_price", NUM, "Current list price in dollars."),
       ("is_discontinued", BOOL, "No longer sold."),
       ("updated_at", TS, "")],
      """select
    id as product_id,
    upper(sku) as sku,
    name as product_name,
    category_id,
    brand,
    {{ cents_to_dollars('price_cents') }} as list_price,
    coalesce(is_discontinued, false) as is_discontinued,
    updated_at
from {{ source('shop', 'products') }}
""", "platform", ["staging", "shop"])

model("stg_stripe__payments", "staging/stripe", "view",
      "Stripe payments for web shop orders, one row per successful or failed charge, "
      "amounts converted from cents to dollars.",
      [("payment_id", TEXT, "Stripe charge id, primary key."),
       ("order_id", INT, "The shop order paid for."),
       ("payment_method", TEXT, "credit_card, paypal or gift_card."),
       ("payment_status", TEXT, "succeeded, pending or failed."),
       ("amount", NUM, "Amount charged in dollars."),
       ("currency", "character(3)", "Currency of the charge."),
       ("created_at", TSTZ, "When the charge was created.")],
      """with charges as (

    select * from {{ source('stripe', 'payments') }}

)

select
    id as payment_id,
    order_id,
    payment_method,
    status as payment_status,
    {{ cents_to_dollars('amount') }} as amount,
    upper(currency) as currency,
    created as created_at
from charges
""", "platform", ["staging", "stripe", "finance"])

model("stg_stripe__refunds", "staging/stripe", "view",
      "Stripe refunds, one row per refund of a payment, amounts in dollars. A payment can be "
      "refunded in several partial refunds.",
      [("refund_id", TEXT, "Stripe refund id, primary key."),
       ("payment_id", TEXT, "The refunded payment (Stripe charge)."),
       ("refund_amount", NUM, "Amount refunded in dollars."),
       ("refund_reason", TEXT, ("doc", "refund_reasons")),
       ("refund_status", TEXT, "succeeded, pending or failed."),
       ("refunded_at", TSTZ, "When the refund was issued.")],
      """select
    id as refund_id,
    charge_id as payment_id,
    {{ cents_to_dollars('amount') }} as refund_amount,
    coalesce(reason, 'requested_by_customer') as refund_reason,
    status as refund_status,
    created as refunded_at
from {{ source('stripe', 'refunds') }}
""", "platform", ["staging", "stripe", "finance"])

model("stg_web__sessions", "staging/web", "view",
      "Web sessions on cairn-outfitters.example with their marketing parameters, one row per "
      "session; `customer_id` is set when the visitor logged in.",
      [("session_id", TEXT, "Snowplow session id, primary key."),
       ("anonymous_id", TEXT, "First-party cookie id."),
       ("customer_id", INT, "The logged-in customer, if any."),
       ("landing_page_url", TEXT, "First page of the session."),
       ("referrer_url", TEXT, "Referring URL."),
       ("utm_source", TEXT, ""),
       ("utm_medium", TEXT, ""),
       ("utm_campaign", TEXT, ""),
       ("device_class", TEXT, "Desktop, Phone or Tablet."),
       ("session_started_at", TSTZ, "First event of the session."),
       ("session_ended_at", TSTZ, "Last event of the session.")],
      """select
    domain_sessionid as session_id,
    domain_userid as anonymous_id,
    user_id as customer_id,
    first_page_url as landing_page_url,
    referrer_url,
    lower(mkt_source) as utm_source,
    lower(mkt_medium) as utm_medium,
    lower(mkt_campaign) as utm_campaign,
    device_class,
    min_tstamp as session_started_at,
    max_tstamp as session_ended_at
from {{ source('web_events', 'sessions') }}
""", "platform", ["staging", "web"])

model("stg_web__page_views", "staging/web", "view",
      "Page views on the web shop, one row per page view, with engaged time.",
      [("page_view_id", TEXT, "Snowplow event id, primary key."),
       ("session_id", TEXT, "The session of the page view."),
       ("page_url", TEXT, "URL of the page."),
       ("page_title", TEXT, "Title of the page."),
       ("viewed_at", TSTZ, "When the page was opened."),
       ("engaged_seconds", INT, "Seconds the page was in focus.")],
      """select
    event_id as page_view_id,
    domain_sessionid as session_id,
    page_url,
    page_title,
    page_view_start as viewed_at,
    coalesce(time_engaged_in_s, 0) as engaged_seconds
from {{ source('web_events', 'page_views') }}
""", "platform", ["staging", "web"])

# ---- intermediate ----------------------------------------------------------

model("int_payments_pivoted_to_orders", "intermediate/finance", "ephemeral",
      "Successful Stripe payments pivoted to one row per order: the amount paid with each "
      "payment method and in total. Ephemeral: inlined as a CTE into `int_orders_enriched`.",
      [("order_id", INT, "The order."),
       ("credit_card_amount", NUM, "Paid by credit card, in dollars."),
       ("paypal_amount", NUM, "Paid with PayPal, in dollars."),
       ("gift_card_amount", NUM, "Paid with gift cards, in dollars."),
       ("total_paid_amount", NUM, "Total paid for the order, in dollars."),
       ("payment_count", INT, "Number of successful payments.")],
      """{%- set payment_methods = ['credit_card', 'paypal', 'gift_card'] -%}

with payments as (

    select * from {{ ref('stg_stripe__payments') }}
    where payment_status = 'succeeded'

)

select
    order_id,
    {% for method in payment_methods -%}
    sum(case when payment_method = '{{ method }}' then amount else 0 end) as {{ method }}_amount,
    {% endfor -%}
    sum(amount) as total_paid_amount,
    count(*) as payment_count
from payments
group by order_id
""", "ae", ["intermediate", "finance"],
      compiled_override="""with payments as (

    select * from "analytics"."staging"."stg_stripe__payments"
    where payment_status = 'succeeded'

)

select
    order_id,
    sum(case when payment_method = 'credit_card' then amount else 0 end) as credit_card_amount,
    sum(case when payment_method = 'paypal' then amount else 0 end) as paypal_amount,
    sum(case when payment_method = 'gift_card' then amount else 0 end) as gift_card_amount,
    sum(amount) as total_paid_amount,
    count(*) as payment_count
from payments
group by order_id
""")

model("int_refunds_by_order", "intermediate/finance", "view",
      "Refunds rolled up to the order they refund: total refunded amount, number of refunds "
      "and the last refund date. Only succeeded refunds count.",
      [("order_id", INT, "The refunded order."),
       ("refunded_amount", NUM, "Total refunded on the order, in dollars."),
       ("refund_count", INT, "Number of refunds."),
       ("last_refunded_at", TSTZ, "When the last refund was issued.")],
      """with refunds as (

    select * from {{ ref('stg_stripe__refunds') }}
    where refund_status = 'succeeded'

),

payments as (

    select payment_id, order_id from {{ ref('stg_stripe__payments') }}

)

select
    payments.order_id,
    sum(refunds.refund_amount) as refunded_amount,
    count(*) as refund_count,
    max(refunds.refunded_at) as last_refunded_at
from refunds
inner join payments on refunds.payment_id = payments.payment_id
group by payments.order_id
""", "ae", ["intermediate", "finance"])

model("int_order_items_enriched", "intermediate/core", "view",
      "Order lines joined to their product and merchandising category.",
      [("order_item_id", INT, "Primary key of the order line."),
       ("order_id", INT, "The order."),
       ("product_id", INT, "The product."),
       ("product_name", TEXT, "Product name."),
       ("brand", TEXT, "Brand."),
       ("category_name", TEXT, "Merchandising category."),
       ("department", TEXT, "Department of the category."),
       ("quantity", INT, "Units ordered."),
       ("unit_price", NUM, "Price per unit in dollars."),
       ("line_total", NUM, "Line total in dollars.")],
      """select
    items.order_item_id,
    items.order_id,
    items.product_id,
    products.product_name,
    products.brand,
    categories.category_name,
    categories.department,
    items.quantity,
    items.unit_price,
    items.line_total
from {{ ref('stg_shop__order_items') }} as items
left join {{ ref('stg_shop__products') }} as products
    on items.product_id = products.product_id
left join {{ ref('product_categories') }} as categories
    on products.category_id = categories.category_id
""", "ae", ["intermediate"])

model("int_orders_enriched", "intermediate/core", "table",
      "Orders with item totals, Stripe payments and refunds: the single place where order "
      "revenue is computed. One row per order.",
      [("order_id", INT, "Primary key of the order."),
       ("customer_id", INT, "The customer."),
       ("order_status", TEXT, ("doc", "order_status")),
       ("ordered_at", TS, "When the order was placed."),
       ("item_count", INT, "Units in the order."),
       ("gross_item_amount", NUM, "Sum of the order lines before refunds, in dollars."),
       ("shipping_cost", NUM, "Shipping charged, in dollars."),
       ("total_paid_amount", NUM, "Paid through Stripe, in dollars."),
       ("refunded_amount", NUM, "Refunded through Stripe, in dollars."),
       ("net_revenue", NUM, ("doc", "net_revenue"))],
      """with orders as (

    select * from {{ ref('stg_shop__orders') }}

),

order_totals as (

    select
        order_id,
        sum(quantity) as item_count,
        sum(line_total) as gross_item_amount
    from {{ ref('int_order_items_enriched') }}
    group by order_id

),

payments as (

    select * from {{ ref('int_payments_pivoted_to_orders') }}

),

refunds as (

    select * from {{ ref('int_refunds_by_order') }}

)

select
    orders.order_id,
    orders.customer_id,
    orders.order_status,
    orders.ordered_at,
    coalesce(order_totals.item_count, 0) as item_count,
    coalesce(order_totals.gross_item_amount, 0) as gross_item_amount,
    orders.shipping_cost,
    coalesce(payments.total_paid_amount, 0) as total_paid_amount,
    coalesce(refunds.refunded_amount, 0) as refunded_amount,
    coalesce(payments.total_paid_amount, 0) - coalesce(refunds.refunded_amount, 0) as net_revenue
from orders
left join order_totals on orders.order_id = order_totals.order_id
left join payments on orders.order_id = payments.order_id
left join refunds on orders.order_id = refunds.order_id
""", "ae", ["intermediate", "finance"])

model("int_customer_order_history", "intermediate/core", "table",
      "Order history per customer: first and last order, number of orders and lifetime "
      "revenue, gross and net of refunds.",
      [("customer_id", INT, "The customer."),
       ("first_ordered_at", TS, "First order."),
       ("last_ordered_at", TS, "Most recent order."),
       ("order_count", INT, "Orders placed, cancelled ones excluded."),
       ("lifetime_gross_revenue", NUM, "Paid over all orders, before refunds."),
       ("lifetime_refunds", NUM, "Refunded over all orders."),
       ("lifetime_net_revenue", NUM, ("doc", "lifetime_value"))],
      """select
    customer_id,
    min(ordered_at) as first_ordered_at,
    max(ordered_at) as last_ordered_at,
    count(*) as order_count,
    sum(total_paid_amount) as lifetime_gross_revenue,
    sum(refunded_amount) as lifetime_refunds,
    sum(net_revenue) as lifetime_net_revenue
from {{ ref('int_orders_enriched') }}
where order_status != 'cancelled'
group by customer_id
""", "ae", ["intermediate"])

model("int_sessions_enriched", "intermediate/marketing", "table",
      "Web sessions with page view counts, engaged time, a marketing channel derived from the "
      "UTM parameters and the order the session converted into (an order placed by the same "
      "customer within 24 hours).",
      [("session_id", TEXT, "Primary key of the session."),
       ("customer_id", INT, "The logged-in customer, if any."),
       ("channel", TEXT, "Marketing channel: organic_search, paid_search, paid_social, email, "
        "referral or direct."),
       ("page_view_count", INT, "Pages viewed in the session."),
       ("engaged_seconds", INT, "Total engaged time."),
       ("session_started_at", TSTZ, "Start of the session."),
       ("converted_order_id", INT, "The order the session led to, if any.")],
      """with sessions as (

    select * from {{ ref('stg_web__sessions') }}

),

page_views as (

    select
        session_id,
        count(*) as page_view_count,
        sum(engaged_seconds) as engaged_seconds
    from {{ ref('stg_web__page_views') }}
    group by session_id

),

orders as (

    select order_id, customer_id, ordered_at from {{ ref('stg_shop__orders') }}

)

select
    sessions.session_id,
    sessions.customer_id,
    case
        when sessions.utm_medium in ('cpc', 'ppc') then 'paid_search'
        when sessions.utm_medium = 'paid_social' then 'paid_social'
        when sessions.utm_medium = 'email' then 'email'
        when sessions.referrer_url ~ '(google|bing|duckduckgo)\\.' then 'organic_search'
        when sessions.referrer_url is not null then 'referral'
        else 'direct'
    end as channel,
    coalesce(page_views.page_view_count, 0) as page_view_count,
    coalesce(page_views.engaged_seconds, 0) as engaged_seconds,
    sessions.session_started_at,
    min(orders.order_id) as converted_order_id
from sessions
left join page_views on sessions.session_id = page_views.session_id
left join orders
    on sessions.customer_id = orders.customer_id
    and orders.ordered_at between sessions.session_started_at
        and sessions.session_started_at + interval '24 hours'
group by 1, 2, 3, 4, 5, 6
""", "growth", ["intermediate", "marketing"])

# ---- marts: core -----------------------------------------------------------

DIM_CUSTOMERS_V2_COLUMNS = [
    ("customer_id", INT, "Primary key of the customer."),
    ("email", TEXT, "Login email (PII)."),
    ("full_name", TEXT, "First and last name (PII)."),
    ("country_code", "character(2)", "Shipping country."),
    ("country_name", TEXT, "Shipping country name."),
    ("region", TEXT, "Sales region of the country."),
    ("customer_segment", TEXT, "new (1 order), returning (2-4) or loyal (5+)."),
    ("first_ordered_at", TS, "First order."),
    ("last_ordered_at", TS, "Most recent order."),
    ("order_count", INT, "Number of orders."),
    ("lifetime_net_revenue", NUM, ("doc", "lifetime_value")),
    ("has_marketing_opt_in", BOOL, "Agreed to marketing email."),
]

model("dim_customers", "marts/core", "table",
      "Customer dimension: one row per customer with their country, segment, order history "
      "and lifetime value (net revenue after refunds). The public, contracted customer table: "
      "use it for every customer count.",
      DIM_CUSTOMERS_V2_COLUMNS,
      """{{
    config(
        alias='dim_customers',
        contract={'enforced': true}
    )
}}

with customers as (

    select * from {{ ref('stg_shop__customers') }}

),

history as (

    select * from {{ ref('int_customer_order_history') }}

),

countries as (

    select * from {{ ref('country_codes') }}

)

select
    customers.customer_id,
    customers.email,
    customers.first_name || ' ' || customers.last_name as full_name,
    customers.country_code,
    countries.country_name,
    countries.region,
    case
        when coalesce(history.order_count, 0) <= 1 then 'new'
        when history.order_count < 5 then 'returning'
        else 'loyal'
    end as customer_segment,
    history.first_ordered_at,
    history.last_ordered_at,
    coalesce(history.order_count, 0) as order_count,
    coalesce(history.lifetime_net_revenue, 0) as lifetime_net_revenue,
    customers.has_marketing_opt_in
from customers
left join history on customers.customer_id = history.customer_id
left join countries on customers.country_code = countries.country_code
""", "cx", ["core", "pii"], version=2, access="public", group="customer_experience",
      contract=True, file_suffix="_v2",
      constraints=[{"type": "primary_key", "columns": ["customer_id"]}],
      column_constraints={"customer_id": ["not_null"], "email": ["not_null"]})

model("dim_customers", "marts/core", "table",
      "Customer dimension, version 1 (deprecated): one row per customer with total order count "
      "and lifetime value. Replaced by version 2, which adds segments and regions; dropped "
      "after the deprecation date.",
      [("customer_id", INT, "Primary key of the customer."),
       ("full_name", TEXT, "First and last name (PII)."),
       ("email", TEXT, "Login email (PII)."),
       ("first_ordered_at", TS, "First order."),
       ("order_count", INT, "Number of orders."),
       ("lifetime_value", NUM, ("doc", "lifetime_value"))],
      """select
    customers.customer_id,
    customers.first_name || ' ' || customers.last_name as full_name,
    customers.email,
    history.first_ordered_at,
    coalesce(history.order_count, 0) as order_count,
    coalesce(history.lifetime_net_revenue, 0) as lifetime_value
from {{ ref('stg_shop__customers') }} as customers
left join {{ ref('int_customer_order_history') }} as history
    on customers.customer_id = history.customer_id
""", "cx", ["core", "pii"], version=1, access="public", group="customer_experience",
      contract=True, file_suffix="_v1", deprecation_date="2025-09-30T00:00:00+00:00",
      column_constraints={"customer_id": ["not_null"]})

model("dim_products", "marts/core", "table",
      "Product dimension: one row per product of the catalogue with brand, category, "
      "department, list price and lifetime units sold and revenue.",
      [("product_id", INT, "Primary key of the product."),
       ("sku", TEXT, "Stock keeping unit."),
       ("product_name", TEXT, "Name shown in the shop."),
       ("brand", TEXT, "Brand."),
       ("category_name", TEXT, "Merchandising category."),
       ("department", TEXT, "Department."),
       ("list_price", NUM, "Current list price in dollars."),
       ("is_discontinued", BOOL, "No longer sold."),
       ("units_sold", BIG, "Units sold over all orders."),
       ("gross_revenue", NUM, "Revenue from the order lines of this product, before refunds.")],
      """with products as (

    select * from {{ ref('stg_shop__products') }}

),

sales as (

    select
        product_id,
        sum(quantity) as units_sold,
        sum(line_total) as gross_revenue
    from {{ ref('int_order_items_enriched') }}
    group by product_id

)

select
    products.product_id,
    products.sku,
    products.product_name,
    products.brand,
    categories.category_name,
    categories.department,
    products.list_price,
    products.is_discontinued,
    coalesce(sales.units_sold, 0) as units_sold,
    coalesce(sales.gross_revenue, 0) as gross_revenue
from products
left join {{ ref('product_categories') }} as categories
    on products.category_id = categories.category_id
left join sales on products.product_id = sales.product_id
""", "cx", ["core"])

model("fct_orders", "marts/core", "incremental",
      ("doc", "fct_orders"),
      [("order_id", INT, "Primary key of the order."),
       ("customer_id", INT, "The customer who placed the order."),
       ("order_status", TEXT, ("doc", "order_status")),
       ("ordered_at", TS, "When the order was placed (UTC)."),
       ("order_date", DATE, "Date the order was placed."),
       ("item_count", INT, "Units in the order."),
       ("gross_item_amount", NUM, "Order lines before refunds, in dollars."),
       ("shipping_cost", NUM, "Shipping charged, in dollars."),
       ("total_paid_amount", NUM, "Paid through Stripe, in dollars."),
       ("refunded_amount", NUM, "Refunded through Stripe, in dollars."),
       ("net_revenue", NUM, ("doc", "net_revenue")),
       ("is_first_order", BOOL, "The customer's first order."),
       ("channel", TEXT, "Marketing channel of the converting web session; `unattributed` "
        "if none.")],
      """{{
    config(
        materialized='incremental',
        unique_key='order_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns'
    )
}}

with orders as (

    select * from {{ ref('int_orders_enriched') }}
    {% if is_incremental() %}
    where ordered_at >= (select max(ordered_at) - interval '3 days' from {{ this }})
    {% endif %}

),

sessions as (

    select converted_order_id, min(channel) as channel
    from {{ ref('int_sessions_enriched') }}
    where converted_order_id is not null
    group by converted_order_id

)

select
    orders.order_id,
    orders.customer_id,
    orders.order_status,
    orders.ordered_at,
    orders.ordered_at::date as order_date,
    orders.item_count,
    orders.gross_item_amount,
    orders.shipping_cost,
    orders.total_paid_amount,
    orders.refunded_amount,
    orders.net_revenue,
    row_number() over (partition by orders.customer_id order by orders.ordered_at) = 1
        as is_first_order,
    coalesce(sessions.channel, 'unattributed') as channel
from orders
left join sessions on orders.order_id = sessions.converted_order_id
""", "finance", ["core", "finance", "nightly"], unique_key="order_id",
      incremental_strategy="delete+insert", on_schema_change="append_new_columns")

model("fct_order_items", "marts/core", "table",
      "Order lines fact: one row per product in an order, with the customer and order date, "
      "for product and category revenue analysis.",
      [("order_item_id", INT, "Primary key of the order line."),
       ("order_id", INT, "The order."),
       ("customer_id", INT, "The customer."),
       ("product_id", INT, "The product."),
       ("ordered_at", TS, "When the order was placed."),
       ("quantity", INT, "Units ordered."),
       ("line_total", NUM, "Line revenue in dollars, before refunds.")],
      """select
    items.order_item_id,
    items.order_id,
    orders.customer_id,
    items.product_id,
    orders.ordered_at,
    items.quantity,
    items.line_total
from {{ ref('int_order_items_enriched') }} as items
inner join {{ ref('stg_shop__orders') }} as orders
    on items.order_id = orders.order_id
where orders.order_status != 'cancelled'
""", "cx", ["core"])

# ---- marts: finance --------------------------------------------------------

model("fct_refunds", "marts/finance", "table",
      "Refunds fact: one row per Stripe refund, tied to the refunded order and customer, with "
      "the amount of the original payment and days between order and refund.",
      [("refund_id", TEXT, "Primary key: Stripe refund id."),
       ("payment_id", TEXT, "The refunded payment."),
       ("order_id", INT, "The refunded order."),
       ("customer_id", INT, "The customer refunded."),
       ("refund_amount", NUM, "Amount refunded, in dollars."),
       ("payment_amount", NUM, "Amount of the refunded payment, in dollars."),
       ("refund_reason", TEXT, ("doc", "refund_reasons")),
       ("refunded_at", TSTZ, "When the refund was issued."),
       ("days_to_refund", INT, "Days between the order and the refund.")],
      """with refunds as (

    select * from {{ ref('stg_stripe__refunds') }}
    where refund_status = 'succeeded'

),

payments as (

    select * from {{ ref('stg_stripe__payments') }}

),

orders as (

    select order_id, customer_id, ordered_at from {{ ref('fct_orders') }}

)

select
    refunds.refund_id,
    refunds.payment_id,
    payments.order_id,
    orders.customer_id,
    refunds.refund_amount,
    payments.amount as payment_amount,
    refunds.refund_reason,
    refunds.refunded_at,
    refunds.refunded_at::date - orders.ordered_at::date as days_to_refund
from refunds
inner join payments on refunds.payment_id = payments.payment_id
left join orders on payments.order_id = orders.order_id
""", "finance", ["finance"])

model("fct_daily_revenue", "marts/finance", "table",
      "Daily revenue: one row per day with orders, gross revenue, refunds issued that day and "
      "net revenue. The source of the executive revenue dashboard.",
      [("revenue_date", DATE, "The day (UTC)."),
       ("order_count", INT, "Orders placed that day, cancelled excluded."),
       ("gross_revenue", NUM, "Paid for orders placed that day."),
       ("refunds", NUM, "Refunds issued that day."),
       ("net_revenue", NUM, ("doc", "net_revenue")),
       ("average_order_value", NUM, "gross_revenue / order_count.")],
      """with orders as (

    select
        order_date as revenue_date,
        count(*) as order_count,
        sum(total_paid_amount) as gross_revenue
    from {{ ref('fct_orders') }}
    where order_status != 'cancelled'
    group by 1

),

refunds as (

    select refunded_at::date as revenue_date, sum(refund_amount) as refunds
    from {{ ref('fct_refunds') }}
    group by 1

)

select
    orders.revenue_date,
    orders.order_count,
    orders.gross_revenue,
    coalesce(refunds.refunds, 0) as refunds,
    orders.gross_revenue - coalesce(refunds.refunds, 0) as net_revenue,
    round(orders.gross_revenue / nullif(orders.order_count, 0), 2) as average_order_value
from orders
left join refunds on orders.revenue_date = refunds.revenue_date
""", "finance", ["finance", "nightly"])

model("rpt_monthly_revenue_by_category", "marts/finance", "table",
      "Monthly revenue and units sold per product category and department, before refunds.",
      [("revenue_month", DATE, "First day of the month."),
       ("department", TEXT, "Department."),
       ("category_name", TEXT, "Merchandising category."),
       ("units_sold", BIG, "Units sold in the month."),
       ("gross_revenue", NUM, "Revenue of the order lines, before refunds.")],
      """select
    date_trunc('month', items.ordered_at)::date as revenue_month,
    products.department,
    products.category_name,
    sum(items.quantity) as units_sold,
    sum(items.line_total) as gross_revenue
from {{ ref('fct_order_items') }} as items
inner join {{ ref('dim_products') }} as products
    on items.product_id = products.product_id
group by 1, 2, 3
""", "finance", ["finance"])

# ---- marts: marketing ------------------------------------------------------

model("fct_web_sessions", "marts/marketing", "table",
      "Web sessions fact: one row per session with channel, engagement and whether it "
      "converted into an order.",
      [("session_id", TEXT, "Primary key of the session."),
       ("customer_id", INT, "The logged-in customer, if any."),
       ("channel", TEXT, "Marketing channel."),
       ("page_view_count", INT, "Pages viewed."),
       ("engaged_seconds", INT, "Engaged time in seconds."),
       ("session_started_at", TSTZ, "Start of the session."),
       ("converted_order_id", INT, "The order the session led to, if any."),
       ("is_converted", BOOL, "The session led to an order.")],
      """select
    session_id,
    customer_id,
    channel,
    page_view_count,
    engaged_seconds,
    session_started_at,
    converted_order_id,
    converted_order_id is not null as is_converted
from {{ ref('int_sessions_enriched') }}
""", "growth", ["marketing"])

model("rpt_channel_attribution", "marts/marketing", "table",
      "Marketing channel attribution: sessions, conversion rate and attributed net revenue "
      "per channel and month (last-touch: the session that converted gets the order).",
      [("session_month", DATE, "First day of the month."),
       ("channel", TEXT, "Marketing channel."),
       ("session_count", INT, "Sessions."),
       ("converted_sessions", INT, "Sessions that led to an order."),
       ("conversion_rate", DBL, "converted_sessions / session_count."),
       ("attributed_net_revenue", NUM, "Net revenue of the converted orders.")],
      """select
    date_trunc('month', sessions.session_started_at)::date as session_month,
    sessions.channel,
    count(*) as session_count,
    count(*) filter (where sessions.is_converted) as converted_sessions,
    (count(*) filter (where sessions.is_converted))::float / count(*) as conversion_rate,
    coalesce(sum(orders.net_revenue), 0) as attributed_net_revenue
from {{ ref('fct_web_sessions') }} as sessions
left join {{ ref('fct_orders') }} as orders
    on sessions.converted_order_id = orders.order_id
group by 1, 2
""", "growth", ["marketing"])

model("rpt_customer_retention", "marts/marketing", "table",
      "Customer retention by monthly cohort: for each first-order month, how many customers "
      "ordered again in each following month.",
      [("cohort_month", DATE, "Month of the customers' first order."),
       ("months_since_first_order", INT, "0 = the cohort month."),
       ("active_customers", INT, "Customers of the cohort who ordered in that month."),
       ("cohort_size", INT, "Customers in the cohort."),
       ("retention_rate", DBL, "active_customers / cohort_size.")],
      """with customers as (

    select customer_id, date_trunc('month', first_ordered_at)::date as cohort_month
    from {{ ref('dim_customers') }}
    where first_ordered_at is not null

),

activity as (

    select distinct customer_id, date_trunc('month', ordered_at)::date as active_month
    from {{ ref('fct_orders') }}

),

cohorts as (

    select cohort_month, count(*) as cohort_size from customers group by 1

)

select
    customers.cohort_month,
    (extract(year from age(activity.active_month, customers.cohort_month)) * 12
        + extract(month from age(activity.active_month, customers.cohort_month)))::int
        as months_since_first_order,
    count(distinct customers.customer_id) as active_customers,
    cohorts.cohort_size,
    count(distinct customers.customer_id)::float / cohorts.cohort_size as retention_rate
from customers
inner join activity on customers.customer_id = activity.customer_id
inner join cohorts on customers.cohort_month = cohorts.cohort_month
group by 1, 2, 4
""", "growth", ["marketing"])

# ---- marts: utilities ------------------------------------------------------

model("metricflow_time_spine", "marts/utilities", "table",
      "One row per day from 2020 to 2030: the time spine MetricFlow joins metrics to.",
      [("date_day", DATE, "The day.")],
      """{{ config(materialized='table') }}

select day::date as date_day
from generate_series('2020-01-01'::date, '2030-12-31'::date, interval '1 day') as day
""", "ae", ["utilities"], time_spine=True)

# --------------------------------------------------------------------------
# Tests.  (kind, target, column, extra)  target: model name, "name@v" for a
# version, or "source:src.table".
# --------------------------------------------------------------------------

ORDER_STATUSES = ["placed", "shipped", "delivered", "returned", "cancelled"]
CHANNELS = ["organic_search", "paid_search", "paid_social", "email", "referral", "direct"]

GENERIC_TESTS = [
    ("unique", "source:shop.orders", "id", {}),
    ("not_null", "source:shop.orders", "id", {}),
    ("not_null", "source:stripe.payments", "id", {}),
    ("unique", "stg_shop__customers", "customer_id", {}),
    ("not_null", "stg_shop__customers", "customer_id", {}),
    ("not_null", "stg_shop__customers", "email", {}),
    ("unique", "stg_shop__orders", "order_id", {}),
    ("not_null", "stg_shop__orders", "order_id", {}),
    ("relationships", "stg_shop__orders", "customer_id", {"to": "stg_shop__customers", "field": "customer_id"}),
    ("accepted_values", "stg_shop__orders", "order_status", {"values": ORDER_STATUSES}),
    ("unique", "stg_shop__order_items", "order_item_id", {}),
    ("not_null", "stg_shop__order_items", "order_item_id", {}),
    ("relationships", "stg_shop__order_items", "order_id", {"to": "stg_shop__orders", "field": "order_id"}),
    ("relationships", "stg_shop__order_items", "product_id", {"to": "stg_shop__products", "field": "product_id"}),
    ("unique", "stg_shop__products", "product_id", {}),
    ("not_null", "stg_shop__products", "product_id", {}),
    ("unique", "stg_shop__products", "sku", {}),
    ("unique", "stg_stripe__payments", "payment_id", {}),
    ("not_null", "stg_stripe__payments", "payment_id", {}),
    ("accepted_values", "stg_stripe__payments", "payment_method",
     {"values": ["credit_card", "paypal", "gift_card"], "severity": "warn"}),
    ("unique", "stg_stripe__refunds", "refund_id", {}),
    ("not_null", "stg_stripe__refunds", "refund_id", {}),
    ("relationships", "stg_stripe__refunds", "payment_id", {"to": "stg_stripe__payments", "field": "payment_id"}),
    ("unique", "stg_web__sessions", "session_id", {}),
    ("not_null", "stg_web__sessions", "session_id", {}),
    ("not_null", "stg_web__page_views", "page_view_id", {}),
    ("relationships", "stg_web__page_views", "session_id", {"to": "stg_web__sessions", "field": "session_id"}),
    ("unique", "int_orders_enriched", "order_id", {}),
    ("unique", "dim_customers@2", "customer_id", {}),
    ("not_null", "dim_customers@2", "customer_id", {}),
    ("accepted_values", "dim_customers@2", "customer_segment", {"values": ["new", "returning", "loyal"]}),
    ("unique", "dim_products", "product_id", {}),
    ("not_null", "dim_products", "product_id", {}),
    ("unique", "fct_orders", "order_id", {}),
    ("not_null", "fct_orders", "order_id", {}),
    ("relationships", "fct_orders", "customer_id", {"to": "dim_customers", "field": "customer_id"}),
    ("accepted_values", "fct_orders", "order_status", {"values": ORDER_STATUSES}),
    ("not_null", "fct_orders", "net_revenue", {}),
    ("unique", "fct_order_items", "order_item_id", {}),
    ("unique", "fct_refunds", "refund_id", {}),
    ("not_null", "fct_refunds", "order_id", {}),
    ("unique", "fct_daily_revenue", "revenue_date", {}),
    ("unique", "fct_web_sessions", "session_id", {}),
    ("accepted_values", "fct_web_sessions", "channel", {"values": CHANNELS}),
]

SINGULAR_TEST = {
    "name": "assert_refunds_do_not_exceed_payments",
    "description": "No refund may be larger than the payment it refunds: a refund above the "
                   "charged amount means a Stripe sync or currency bug, and would understate "
                   "net revenue.",
    "target": "fct_refunds",
    "raw": """-- A refund can never be larger than the payment it refunds.
select
    refund_id,
    payment_id,
    refund_amount,
    payment_amount
from {{ ref('fct_refunds') }}
where refund_amount > payment_amount
""",
}

UNIT_TEST = {
    "name": "test_payment_amounts_are_converted_from_cents",
    "model": "stg_stripe__payments",
    "description": "Stripe amounts arrive in cents; staging must convert them to dollars and "
                   "upper-case the currency.",
    "given": [{"input": "source('stripe', 'payments')", "rows": [
        {"id": "ch_1", "order_id": 1001, "payment_method": "credit_card", "status": "succeeded",
         "amount": 12999, "currency": "usd"},
        {"id": "ch_2", "order_id": 1002, "payment_method": "paypal", "status": "succeeded",
         "amount": 4550, "currency": "usd"},
    ], "format": "dict", "fixture": None}],
    "expect": {"rows": [
        {"payment_id": "ch_1", "amount": 129.99, "currency": "USD"},
        {"payment_id": "ch_2", "amount": 45.50, "currency": "USD"},
    ], "format": "dict", "fixture": None},
}

EXPOSURES = [
    {"name": "executive_revenue_dashboard", "label": "Executive revenue dashboard",
     "type": "dashboard", "maturity": "high",
     "url": "https://bi.cairn-outfitters.example/dashboards/12-executive-revenue",
     "description": "Daily and monthly net revenue, refunds, average order value and revenue by "
                    "category, reviewed every Monday by the leadership team.",
     "owner": {"name": "Finance Analytics", "email": OWNERS["finance"]},
     "depends": ["fct_daily_revenue", "rpt_monthly_revenue_by_category", "dim_customers"],
     "tags": ["finance"]},
    {"name": "customer_churn_model", "label": "Customer churn model",
     "type": "ml", "maturity": "medium",
     "url": "https://git.cairn-outfitters.example/data-science/churn",
     "description": "Gradient-boosted model scoring each customer's probability of not ordering "
                    "again within 180 days; scores feed the win-back email campaign.",
     "owner": {"name": "Priya Raman", "email": "priya.raman@cairn-outfitters.example"},
     "depends": ["dim_customers", "fct_orders", "fct_web_sessions"],
     "tags": ["data_science", "marketing"]},
]

GROUPS = [
    {"name": "customer_experience", "owner": {"name": "Customer Experience Analytics",
                                              "email": OWNERS["cx"]},
     "description": "Customer-facing models other teams may depend on."},
]

# Rows in each relation (the warehouse as of the latest build); staging models are
# views over their source table.
ROWS = {
    "shop.customers": 48213, "shop.orders": 131877, "shop.order_items": 342610,
    "shop.products": 1184, "stripe.payments": 137402, "stripe.refunds": 9321,
    "web_events.sessions": 2614530, "web_events.page_views": 11873204,
    "stg_shop__customers": 48213, "stg_shop__orders": 131877, "stg_shop__order_items": 342610,
    "stg_shop__products": 1184, "stg_stripe__payments": 137402, "stg_stripe__refunds": 9321,
    "stg_web__sessions": 2614530, "stg_web__page_views": 11873204,
    "int_refunds_by_order": 8764, "int_order_items_enriched": 342610,
    "int_orders_enriched": 131877, "int_customer_order_history": 41286,
    "int_sessions_enriched": 2614530, "dim_customers.v2": 48213, "dim_customers.v1": 48213,
    "dim_products": 1184, "fct_orders": 131877, "fct_order_items": 338950,
    "fct_refunds": 9107, "fct_daily_revenue": 1979, "rpt_monthly_revenue_by_category": 1563,
    "fct_web_sessions": 2614530, "rpt_channel_attribution": 390,
    "rpt_customer_retention": 2145, "metricflow_time_spine": 4018,
}

# Statuses of the latest build (target/) and of the one before (target_previous/).
# Tests not named pass; a failing error-severity test skips what is downstream.
CURRENT_TEST_OUTCOMES = {
    "accepted_values_stg_stripe__payments_payment_method__credit_card__paypal__gift_card":
        ("warn", 3, "Got 3 results, configured to warn if != 0"),
    "unique_fct_daily_revenue_revenue_date":
        ("fail", 2, "Got 2 results, configured to fail if != 0"),
}
PREVIOUS_TEST_OUTCOMES = {
    "assert_refunds_do_not_exceed_payments":
        ("fail", 4, "Got 4 results, configured to fail if != 0"),
}

# --------------------------------------------------------------------------
# Building the manifest
# --------------------------------------------------------------------------


class Project:
    def __init__(self):
        self.nodes = {}
        self.sources = {}
        self.macros = {}
        self.docs = {}
        self.exposures = {}
        self.metrics = {}
        self.semantic_models = {}
        self.unit_tests = {}
        self.groups = {}
        self.by_ref = {}          # model/seed/snapshot name -> latest uid
        self.by_version = {}      # (name, version) -> uid
        self.source_uid = {}      # (source, table) -> uid
        self.rows = {}            # uid -> rows (for run results)
        self.catalog_columns = {}  # uid -> [(name, type)]
        self.catalog_owner = {}
        self.test_names = {}      # test name -> uid


def column_entry(name, dtype, desc, with_type=False, constraints=()):
    doc_blocks = []
    if isinstance(desc, tuple):
        doc_blocks = [doc_id(desc[1])]
        desc = doc_text(desc[1])
    return {
        "name": name, "description": desc, "meta": {},
        "data_type": dtype if with_type else None,
        "constraints": [constraint(c) for c in constraints],
        "quote": None, "config": {"meta": {}, "tags": []}, "tags": [],
        "granularity": None, "doc_blocks": doc_blocks,
    }


def constraint(kind, columns=None):
    c = {"type": kind, "name": None, "expression": None, "warn_unenforced": True,
         "warn_unsupported": True, "to": None, "to_columns": []}
    if columns is not None:
        c["columns"] = columns
    return c


def describe(desc):
    """(description text, doc_blocks) of a plain or ("doc", name) description."""
    if isinstance(desc, tuple):
        return doc_text(desc[1]), [doc_id(desc[1])]
    return desc, []


def node_config(materialized, schema, **kw):
    cfg = {
        "enabled": True, "alias": None, "schema": schema, "database": None, "tags": [],
        "meta": {}, "group": None, "materialized": materialized, "incremental_strategy": None,
        "batch_size": None, "lookback": 1, "begin": None, "persist_docs": {}, "post-hook": [],
        "pre-hook": [], "quoting": {}, "column_types": {}, "full_refresh": None,
        "unique_key": None, "on_schema_change": "ignore", "on_configuration_change": "apply",
        "grants": {}, "packages": [], "docs": {"show": True, "node_color": None},
        "contract": {"enforced": False, "alias_types": True}, "event_time": None,
        "concurrent_batches": None,
    }
    cfg.update(kw)
    return cfg


def test_config(severity="ERROR", alias=None):
    return {
        "enabled": True, "alias": alias, "schema": TEST_SCHEMA, "database": None, "tags": [],
        "meta": {}, "group": None, "materialized": "test", "severity": severity,
        "store_failures": None, "store_failures_as": None, "where": None, "limit": None,
        "fail_calc": "count(*)", "warn_if": "!= 0", "error_if": "!= 0",
    }


def relation(schema, identifier):
    return '"%s"."%s"."%s"' % (DATABASE, schema, identifier)


def add_macros(p):
    defs = [
        ("cents_to_dollars", "macros/cents_to_dollars.sql",
         "{% macro cents_to_dollars(column_name, scale=2) -%}\n"
         "    round(({{ column_name }})::numeric / 100, {{ scale }})\n"
         "{%- endmacro %}",
         "Converts an integer amount in cents (Stripe, the shop database) to dollars, rounded "
         "to `scale` decimals.",
         [{"name": "column_name", "type": "string", "description": "Column or expression in cents."},
          {"name": "scale", "type": "integer", "description": "Decimals to keep (default 2)."}]),
        ("generate_schema_name", "macros/generate_schema_name.sql",
         "{% macro generate_schema_name(custom_schema_name, node) -%}\n"
         "    {%- if custom_schema_name is none -%}{{ target.schema }}\n"
         "    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}\n"
         "{%- endmacro %}",
         "Uses the custom schema as is (`staging`, `intermediate`, `marts`) in every "
         "environment instead of prefixing it with the target schema.", []),
    ]
    for name, path, sql, desc, args in defs:
        uid = "macro.%s.%s" % (PROJECT, name)
        p.macros[uid] = {
            "name": name, "resource_type": "macro", "package_name": PROJECT, "path": path,
            "original_file_path": path, "unique_id": uid, "macro_sql": sql,
            "depends_on": {"macros": []}, "description": desc, "meta": {},
            "docs": {"show": True, "node_color": None}, "patch_path":
                "%s://macros/_macros.yml" % PROJECT, "arguments": args,
            "created_at": PARSED_AT, "supported_languages": None,
        }
    for name, sql in [
        ("test_unique", "{% test unique(model, column_name) %}...{% endtest %}"),
        ("test_not_null", "{% test not_null(model, column_name) %}...{% endtest %}"),
        ("test_accepted_values", "{% test accepted_values(model, column_name, values, quote=True) %}...{% endtest %}"),
        ("test_relationships", "{% test relationships(model, column_name, to, field) %}...{% endtest %}"),
        ("get_where_subquery", "{% macro get_where_subquery(relation) -%}...{%- endmacro %}"),
        ("is_incremental", "{% macro is_incremental() %}...{% endmacro %}"),
    ]:
        uid = "macro.dbt.%s" % name
        p.macros[uid] = {
            "name": name, "resource_type": "macro", "package_name": "dbt",
            "path": "macros/generic_test_sql/%s.sql" % name,
            "original_file_path": "macros/generic_test_sql/%s.sql" % name, "unique_id": uid,
            "macro_sql": sql, "depends_on": {"macros": []}, "description": "", "meta": {},
            "docs": {"show": True, "node_color": None}, "patch_path": None, "arguments": [],
            "created_at": PARSED_AT, "supported_languages": None,
        }


def add_docs(p):
    for name, (path, text) in DOCS.items():
        uid = doc_id(name)
        p.docs[uid] = {
            "name": name, "resource_type": "doc", "package_name": PROJECT,
            "path": path.split("/", 1)[1] if path.startswith("models/") else path,
            "original_file_path": path, "unique_id": uid, "block_contents": text,
        }


def add_sources(p):
    for sysdef in SOURCE_SYSTEMS:
        (wc, wp), (ec, ep) = sysdef["freshness"]
        for table, identifier, desc, cols, freshness_override in sysdef["tables"]:
            uid = "source.%s.%s.%s" % (PROJECT, sysdef["name"], table)
            if freshness_override == "none":
                fresh = {"warn_after": {"count": None, "period": None},
                         "error_after": {"count": None, "period": None}, "filter": None}
            else:
                fresh = {"warn_after": {"count": wc, "period": wp},
                         "error_after": {"count": ec, "period": ep}, "filter": None}
            yml = "models/staging/%s/_%s__sources.yml" % (
                sysdef["name"] if sysdef["name"] != "web_events" else "web", sysdef["name"])
            p.sources[uid] = {
                "database": DATABASE, "schema": sysdef["schema"], "name": table,
                "resource_type": "source", "package_name": PROJECT, "path": yml,
                "original_file_path": yml, "unique_id": uid,
                "fqn": [PROJECT, "staging", yml.split("/")[2], sysdef["name"], table],
                "source_name": sysdef["name"], "source_description": sysdef["description"],
                "loader": sysdef["loader"], "identifier": identifier,
                "quoting": {"database": None, "schema": None, "identifier": None, "column": None},
                "loaded_at_field": sysdef["loaded_at_field"], "loaded_at_query": None,
                "freshness": fresh, "external": None, "description": desc,
                "columns": {c: column_entry(c, t, d) for c, t, d in cols},
                "meta": {}, "source_meta": sysdef["meta"], "tags": sysdef["tags"],
                "config": {"enabled": True, "event_time": None, "freshness": fresh,
                           "loaded_at_field": sysdef["loaded_at_field"], "loaded_at_query": None,
                           "meta": sysdef["meta"], "tags": sysdef["tags"]},
                "patch_path": None,
                "unrendered_config": {"loaded_at_field": sysdef["loaded_at_field"]},
                "relation_name": relation(sysdef["schema"], identifier),
                "created_at": PARSED_AT, "unrendered_database": None,
                "unrendered_schema": sysdef["schema"], "doc_blocks": [],
            }
            p.source_uid[(sysdef["name"], table)] = uid
            p.catalog_columns[uid] = [(c, t) for c, t, _ in cols]
            p.catalog_owner[uid] = sysdef["loader"]
            p.rows[uid] = ROWS["%s.%s" % (sysdef["name"], table)]


def add_seeds(p):
    for name, desc, cols, rows in SEEDS:
        uid = "seed.%s.%s" % (PROJECT, name)
        path = "%s.csv" % name
        p.nodes[uid] = {
            "database": DATABASE, "schema": "seeds", "name": name, "resource_type": "seed",
            "package_name": PROJECT, "path": path, "original_file_path": "seeds/" + path,
            "unique_id": uid, "fqn": [PROJECT, name], "alias": name,
            "checksum": {"name": "sha256", "checksum": sha256("seed:" + name)},
            "config": dict(node_config("seed", "seeds", tags=["reference"],
                                       meta={"owner": OWNERS["ae"]}),
                           delimiter=",", quote_columns=None),
            "tags": ["reference"], "description": desc,
            "columns": {c: column_entry(c, t, d) for c, t, d in cols},
            "meta": {"owner": OWNERS["ae"]}, "group": None,
            "docs": {"show": True, "node_color": None},
            "patch_path": "%s://seeds/_seeds.yml" % PROJECT, "build_path": None,
            "unrendered_config": {"schema": "seeds", "tags": ["reference"]},
            "created_at": PARSED_AT, "relation_name": relation("seeds", name),
            "raw_code": "", "doc_blocks": [], "root_path": ROOT_PATH,
            "depends_on": {"macros": []},
        }
        p.by_ref[name] = uid
        p.catalog_columns[uid] = [(c, t) for c, t, _ in cols]
        p.rows[uid] = rows


REF_RE = re.compile(r"\{\{\s*ref\('([^']+)'(?:\s*,\s*v=(\d+))?\)\s*\}\}")
SRC_RE = re.compile(r"\{\{\s*source\('([^']+)',\s*'([^']+)'\)\s*\}\}")
CENTS_RE = re.compile(r"\{\{\s*cents_to_dollars\('([^']+)'\)\s*\}\}")
CONFIG_RE = re.compile(r"\{\{\s*config\(.*?\)\s*\}\}\n*", re.S)
INCR_RE = re.compile(r"\n[ \t]*\{% if is_incremental\(\) %\}\n(.*?)[ \t]*\{% endif %\}", re.S)


def parse_refs(raw):
    refs = []
    for m in REF_RE.finditer(raw):
        r = (m.group(1), int(m.group(2)) if m.group(2) else None)
        if r not in refs:
            refs.append(r)
    srcs = []
    for m in SRC_RE.finditer(raw):
        s = [m.group(1), m.group(2)]
        if s not in srcs:
            srcs.append(s)
    return refs, srcs


def compile_sql(p, raw, this_relation=None, incremental_run=True):
    """Render the Jinja of raw_code the way dbt would for a postgres target."""
    ephemerals = []

    def ref_sub(m):
        uid = p.by_version[(m.group(1), int(m.group(2)))] if m.group(2) else p.by_ref[m.group(1)]
        n = p.nodes[uid]
        if n["config"]["materialized"] == "ephemeral":
            if uid not in ephemerals:
                ephemerals.append(uid)
            return "__dbt__cte__" + n["name"]
        return n["relation_name"]

    sql = CONFIG_RE.sub("", raw)
    sql = INCR_RE.sub(lambda m: ("\n" + m.group(1).rstrip("\n")) if incremental_run else "", sql)
    sql = sql.replace("{{ this }}", this_relation or "")
    sql = REF_RE.sub(ref_sub, sql)
    sql = SRC_RE.sub(lambda m: p.sources[p.source_uid[(m.group(1), m.group(2))]]["relation_name"], sql)
    sql = CENTS_RE.sub(lambda m: "round((%s)::numeric / 100, 2)" % m.group(1), sql)
    extra = []
    for uid in ephemerals:
        body = p.nodes[uid]["compiled_code"].strip("\n")
        extra.append({"id": uid, "sql": " __dbt__cte__%s as (\n%s\n)" % (p.nodes[uid]["name"], body)})
    if extra:
        ctes = ", ".join(e["sql"] for e in extra)
        if sql.lstrip().lower().startswith("with "):
            sql = "with" + ctes + ",\n" + sql.lstrip()[5:]
        else:
            sql = "with" + ctes + "\n" + sql
    return sql, extra


def add_models(p):
    for d in M:
        name, version = d["name"], d.get("version")
        folder = d["folder"]
        schema = "staging" if folder.startswith("staging") else (
            "intermediate" if folder.startswith("intermediate") else "marts")
        uid = "model.%s.%s" % (PROJECT, name) + (".v%d" % version if version else "")
        filename = name + d.get("file_suffix", "")
        alias = name if version in (None, 2) else "%s_v%d" % (name, version)
        mat = d["materialized"]
        owner = OWNERS[d["owner"]]
        meta = {"owner": owner}
        if "pii" in d["tags"]:
            meta["contains_pii"] = True
        desc, node_doc_blocks = describe(d["description"])
        contract = bool(d.get("contract"))
        col_cons = d.get("column_constraints", {})
        columns = {c: column_entry(c, t, cd, with_type=contract, constraints=col_cons.get(c, ()))
                   for c, t, cd in d["columns"] if cd != ""}
        cfg_extra = {"tags": d["tags"], "meta": meta, "access": d.get("access", "protected")}
        if d.get("unique_key"):
            cfg_extra.update(unique_key=d["unique_key"], incremental_strategy=d["incremental_strategy"],
                             on_schema_change=d["on_schema_change"])
        if contract:
            cfg_extra["contract"] = {"enforced": True, "alias_types": True}
        if d.get("group"):
            cfg_extra["group"] = d["group"]
        if version == 2:
            cfg_extra["alias"] = alias
        cfg = node_config(mat, schema, **cfg_extra)
        refs, srcs = parse_refs(d["raw"])
        dep_nodes = []
        for rname, rv in refs:
            dep_nodes.append(p.by_version[(rname, rv)] if rv else p.by_ref[rname])
        for s in srcs:
            dep_nodes.append(p.source_uid[tuple(s)])
        macros = []
        if "cents_to_dollars" in d["raw"]:
            macros.append("macro.%s.cents_to_dollars" % PROJECT)
        if "is_incremental" in d["raw"]:
            macros.append("macro.dbt.is_incremental")
        unrendered = {"materialized": mat, "schema": schema, "tags": d["tags"], "meta": meta}
        if d.get("unique_key"):
            unrendered.update(unique_key=d["unique_key"], incremental_strategy=d["incremental_strategy"],
                              on_schema_change=d["on_schema_change"])
        path = "%s/%s.sql" % (folder, filename)
        ofp = "models/" + path
        fqn = [PROJECT] + folder.split("/") + [name] + (["v%d" % version] if version else [])
        rel = relation(schema, alias) if mat != "ephemeral" else None
        n = {
            "database": DATABASE, "schema": schema, "name": name, "resource_type": "model",
            "package_name": PROJECT, "path": path, "original_file_path": ofp, "unique_id": uid,
            "fqn": fqn, "alias": alias,
            "checksum": {"name": "sha256", "checksum": sha256(d["raw"])},
            "config": cfg, "tags": d["tags"], "description": desc, "columns": columns,
            "meta": meta, "group": d.get("group"), "docs": {"show": True, "node_color": None},
            "patch_path": "%s://models/%s/_%s__models.yml" % (PROJECT, folder, folder.split("/")[-1]),
            "build_path": None, "unrendered_config": unrendered, "created_at": PARSED_AT,
            "relation_name": rel, "raw_code": d["raw"], "doc_blocks": node_doc_blocks,
            "language": "sql", "refs": [refobj(r, v) for r, v in refs], "sources": srcs,
            "metrics": [], "depends_on": {"macros": macros, "nodes": dep_nodes},
            "compiled_path": "target/compiled/%s/%s" % (PROJECT, ofp), "compiled": True,
            "compiled_code": None, "extra_ctes_injected": True, "extra_ctes": [],
            "contract": {"enforced": contract, "alias_types": True,
                         "checksum": sha256("contract:" + uid) if contract else None},
            "access": d.get("access", "protected"),
            "constraints": [constraint(c["type"], c["columns"]) for c in d.get("constraints", [])],
            "version": version, "latest_version": 2 if version else None,
            "deprecation_date": d.get("deprecation_date"),
            "primary_key": [d["columns"][0][0]] if d["columns"] else [],
            "time_spine": ({"standard_granularity_column": "date_day", "custom_granularities": []}
                           if d.get("time_spine") else None),
        }
        p.nodes[uid] = n
        if version:
            p.by_version[(name, version)] = uid
            if version == 2:
                p.by_ref[name] = uid
        else:
            p.by_ref[name] = uid
        compiled, extra = (d["compiled_override"], []) if d.get("compiled_override") else \
            compile_sql(p, d["raw"], rel)
        n["compiled_code"], n["extra_ctes"] = compiled, extra
        if mat != "ephemeral":
            p.catalog_columns[uid] = [(c, t) for c, t, _ in d["columns"]]
            p.rows[uid] = ROWS.get(uid.split(".", 2)[2], ROWS.get(name, 0))


def add_snapshot(p):
    name = "products_snapshot"
    uid = "snapshot.%s.%s" % (PROJECT, name)
    raw = """{% snapshot products_snapshot %}

{{
    config(
        target_schema='snapshots',
        unique_key='id',
        strategy='timestamp',
        updated_at='updated_at',
        invalidate_hard_deletes=True
    )
}}

select * from {{ source('shop', 'products') }}

{% endsnapshot %}"""
    src_uid = p.source_uid[("shop", "products")]
    src_cols = p.catalog_columns[src_uid]
    cfg = node_config("snapshot", None, unique_key="id", tags=["snapshot"],
                      meta={"owner": OWNERS["platform"]})
    cfg.update(strategy="timestamp", target_schema="snapshots", target_database=None,
               updated_at="updated_at", check_cols=None,
               snapshot_meta_column_names={"dbt_valid_to": None, "dbt_valid_from": None,
                                           "dbt_scd_id": None, "dbt_updated_at": None,
                                           "dbt_is_deleted": None},
               dbt_valid_to_current=None, invalidate_hard_deletes=True)
    rel = relation("snapshots", name)
    p.nodes[uid] = {
        "database": DATABASE, "schema": "snapshots", "name": name, "resource_type": "snapshot",
        "package_name": PROJECT, "path": "products_snapshot.sql",
        "original_file_path": "snapshots/products_snapshot.sql", "unique_id": uid,
        "fqn": [PROJECT, name, name], "alias": name,
        "checksum": {"name": "sha256", "checksum": sha256(raw)}, "config": cfg,
        "tags": ["snapshot"],
        "description": "Type-2 history of the product catalogue: one row per version of a "
                       "product, so list price changes can be joined to the orders they "
                       "applied to.",
        "columns": {
            "id": column_entry("id", INT, "Product id."),
            "price_cents": column_entry("price_cents", INT, "List price in cents in this version."),
            "dbt_valid_from": column_entry("dbt_valid_from", TS, "When this version became current."),
            "dbt_valid_to": column_entry("dbt_valid_to", TS, "When it was replaced; null for the current version."),
        },
        "meta": {"owner": OWNERS["platform"]}, "group": None,
        "docs": {"show": True, "node_color": None},
        "patch_path": "%s://snapshots/_snapshots.yml" % PROJECT, "build_path": None,
        "unrendered_config": {"target_schema": "snapshots", "unique_key": "id",
                              "strategy": "timestamp", "updated_at": "updated_at",
                              "invalidate_hard_deletes": True},
        "created_at": PARSED_AT, "relation_name": rel, "raw_code": raw, "doc_blocks": [],
        "language": "sql", "refs": [], "sources": [["shop", "products"]], "metrics": [],
        "depends_on": {"macros": [], "nodes": [src_uid]},
        "compiled_path": "target/compiled/%s/snapshots/products_snapshot.sql" % PROJECT,
        "compiled": True,
        "compiled_code": "\n\nselect * from %s\n" % p.sources[src_uid]["relation_name"],
        "extra_ctes_injected": True, "extra_ctes": [],
        "contract": {"enforced": False, "alias_types": True, "checksum": None},
    }
    p.by_ref[name] = uid
    p.catalog_columns[uid] = src_cols + [("dbt_scd_id", TEXT), ("dbt_updated_at", TS),
                                         ("dbt_valid_from", TS), ("dbt_valid_to", TS)]
    p.rows[uid] = 412


def test_identity(kind, target, column, extra):
    """dbt's generic test naming: (name, short alias or None, target info)."""
    if target.startswith("source:"):
        src, tbl = target[len("source:"):].split(".")
        tname = "%s_%s" % (src, tbl)
        prefix = "source_"
    else:
        base, _, ver = target.partition("@")
        tname = base + ("_v" + ver if ver else "")
        prefix = ""
    if kind == "relationships":
        suffix = "%s__%s__ref_%s_" % (column, extra["field"], extra["to"])
    elif kind == "accepted_values":
        suffix = "%s__%s" % (column, "__".join(extra["values"]))
    else:
        suffix = column
    name = "%s%s_%s_%s" % (prefix, kind, tname, suffix)
    alias = None
    if len(name) >= 64:
        alias = "%s_%s" % (("%s%s_%s" % (prefix, kind, tname))[:30], md5(name))
    return name, alias


def add_generic_tests(p):
    for kind, target, column, extra in GENERIC_TESTS:
        name, alias = test_identity(kind, target, column, extra)
        if target.startswith("source:"):
            src, tbl = target[len("source:"):].split(".")
            tuid = p.source_uid[(src, tbl)]
            tnode = p.sources[tuid]
            model_expr = "source('%s', '%s')" % (src, tbl)
            refs, srcs = [], [[src, tbl]]
            yml = tnode["original_file_path"]
            file_key = "sources.%s" % src
            attached = None
            fqn_folder = yml.split("/")[1:3]
        else:
            base, _, ver = target.partition("@")
            tuid = p.by_version[(base, int(ver))] if ver else p.by_ref[base]
            tnode = p.nodes[tuid]
            model_expr = ("ref('%s', v=%s)" % (base, ver)) if ver else "ref('%s')" % base
            refs, srcs = [refobj(base, int(ver) if ver else None)], []
            yml = tnode["patch_path"].split("://", 1)[1]
            file_key = "models.%s" % base
            attached = tuid
            fqn_folder = tnode["fqn"][1:-1 - (1 if ver else 0)]
        rel = tnode["relation_name"]
        kwargs = {"column_name": column, "model": "{{ get_where_subquery(%s) }}" % model_expr}
        deps = [tuid]
        if kind == "relationships":
            to_uid = p.by_ref[extra["to"]]
            kwargs.update(to="ref('%s')" % extra["to"], field=extra["field"])
            refs = [refobj(extra["to"])] + refs
            deps = [to_uid, tuid]
            compiled = ("\n\nwith child as (\n    select %s as from_field\n    from %s\n"
                        "    where %s is not null\n),\n\nparent as (\n    select %s as to_field\n"
                        "    from %s\n)\n\nselect\n    from_field\n\nfrom child\nleft join parent\n"
                        "    on child.from_field = parent.to_field\n\nwhere parent.to_field is null\n"
                        % (column, rel, column, extra["field"], p.nodes[to_uid]["relation_name"]))
        elif kind == "accepted_values":
            kwargs["values"] = extra["values"]
            compiled = ("\n\nwith all_values as (\n\n    select\n        %s as value_field,\n"
                        "        count(*) as n_records\n\n    from %s\n    group by %s\n\n)\n\n"
                        "select *\nfrom all_values\nwhere value_field not in (\n    %s\n)\n"
                        % (column, rel, column, ",".join("'%s'" % v for v in extra["values"])))
        elif kind == "unique":
            compiled = ("\n\nselect\n    %s as unique_field,\n    count(*) as n_records\n\n"
                        "from %s\nwhere %s is not null\ngroup by %s\nhaving count(*) > 1\n"
                        % (column, rel, column, column))
        else:
            compiled = "\n\nselect %s\nfrom %s\nwhere %s is null\n" % (column, rel, column)
        severity = extra.get("severity", "error").upper()
        uid = "test.%s.%s.%s" % (PROJECT, name, md5("%s|%s" % (name, yml))[:10])
        raw = "{{ test_%s(**_dbt_generic_test_kwargs) }}" % kind
        unrendered = {}
        if alias:
            raw += '{{ config(alias="%s") }}' % alias
            unrendered["alias"] = alias
        if severity != "ERROR":
            unrendered["severity"] = extra["severity"]
        file_name = (alias or name) + ".sql"
        p.nodes[uid] = {
            "database": DATABASE, "schema": TEST_SCHEMA, "name": name, "resource_type": "test",
            "package_name": PROJECT, "path": file_name, "original_file_path": yml,
            "unique_id": uid, "fqn": [PROJECT] + fqn_folder + [name], "alias": alias or name,
            "checksum": {"name": "none", "checksum": ""},
            "config": test_config(severity, alias), "tags": [], "description": "",
            "columns": {}, "meta": {}, "group": None,
            "docs": {"show": True, "node_color": None}, "patch_path": None, "build_path": None,
            "unrendered_config": unrendered, "created_at": PARSED_AT, "relation_name": None,
            "raw_code": raw, "doc_blocks": [], "language": "sql", "refs": refs,
            "sources": srcs, "metrics": [],
            "depends_on": {"macros": ["macro.dbt.test_%s" % kind, "macro.dbt.get_where_subquery"],
                           "nodes": deps},
            "compiled_path": "target/compiled/%s/%s/%s" % (PROJECT, yml, file_name),
            "compiled": True, "compiled_code": compiled, "extra_ctes_injected": True,
            "extra_ctes": [],
            "contract": {"enforced": False, "alias_types": True, "checksum": None},
            "column_name": column, "file_key_name": file_key, "attached_node": attached,
            "test_metadata": {"name": kind, "kwargs": kwargs, "namespace": None},
        }
        p.test_names[name] = uid


def add_singular_test(p):
    t = SINGULAR_TEST
    uid = "test.%s.%s" % (PROJECT, t["name"])
    target = p.by_ref[t["target"]]
    ofp = "tests/%s.sql" % t["name"]
    compiled, _ = compile_sql(p, t["raw"])
    p.nodes[uid] = {
        "database": DATABASE, "schema": TEST_SCHEMA, "name": t["name"], "resource_type": "test",
        "package_name": PROJECT, "path": t["name"] + ".sql", "original_file_path": ofp,
        "unique_id": uid, "fqn": [PROJECT, t["name"]], "alias": t["name"],
        "checksum": {"name": "sha256", "checksum": sha256(t["raw"])},
        "config": dict(test_config(), tags=["finance"], meta={"owner": OWNERS["finance"]}),
        "tags": ["finance"], "description": t["description"], "columns": {},
        "meta": {"owner": OWNERS["finance"]}, "group": None,
        "docs": {"show": True, "node_color": None},
        "patch_path": "%s://tests/_tests.yml" % PROJECT, "build_path": None,
        "unrendered_config": {"tags": ["finance"]}, "created_at": PARSED_AT,
        "relation_name": None, "raw_code": t["raw"], "doc_blocks": [], "language": "sql",
        "refs": [refobj(t["target"])], "sources": [], "metrics": [],
        "depends_on": {"macros": [], "nodes": [target]},
        "compiled_path": "target/compiled/%s/%s" % (PROJECT, ofp), "compiled": True,
        "compiled_code": compiled, "extra_ctes_injected": True, "extra_ctes": [],
        "contract": {"enforced": False, "alias_types": True, "checksum": None},
    }
    p.test_names[t["name"]] = uid


def add_unit_test(p):
    t = UNIT_TEST
    model_uid = p.by_ref[t["model"]]
    mn = p.nodes[model_uid]
    uid = "unit_test.%s.%s.%s" % (PROJECT, t["model"], t["name"])
    yml = mn["patch_path"].split("://", 1)[1]
    p.unit_tests[uid] = {
        "model": t["model"], "given": t["given"], "expect": t["expect"], "name": t["name"],
        "resource_type": "unit_test", "package_name": PROJECT,
        "path": yml.split("/", 1)[1], "original_file_path": yml, "unique_id": uid,
        "fqn": mn["fqn"][:-1] + [t["model"], t["name"]], "description": t["description"],
        "overrides": None, "depends_on": {"macros": [], "nodes": [model_uid]},
        "config": {"tags": [], "meta": {}, "enabled": True}, "checksum": sha256(json.dumps(t, sort_keys=True)),
        "schema": mn["schema"], "created_at": PARSED_AT, "versions": None, "version": None,
    }


def add_exposures(p):
    for e in EXPOSURES:
        uid = "exposure.%s.%s" % (PROJECT, e["name"])
        deps = [p.by_ref[n] for n in e["depends"]]
        p.exposures[uid] = {
            "name": e["name"], "resource_type": "exposure", "package_name": PROJECT,
            "path": "exposures.yml", "original_file_path": "models/exposures.yml",
            "unique_id": uid, "fqn": [PROJECT, e["name"]], "type": e["type"],
            "owner": e["owner"], "description": e["description"], "label": e["label"],
            "maturity": e["maturity"], "meta": {}, "tags": e["tags"],
            "config": {"enabled": True, "tags": e["tags"], "meta": {}},
            "unrendered_config": {}, "url": e["url"],
            "depends_on": {"macros": [], "nodes": deps},
            "refs": [refobj(n) for n in e["depends"]], "sources": [], "metrics": [],
            "created_at": PARSED_AT,
        }


def add_groups(p):
    for g in GROUPS:
        uid = "group.%s.%s" % (PROJECT, g["name"])
        p.groups[uid] = {
            "name": g["name"], "resource_type": "group", "package_name": PROJECT,
            "path": "marts/core/_groups.yml", "original_file_path": "models/marts/core/_groups.yml",
            "unique_id": uid, "owner": g["owner"], "description": g["description"],
            "config": {"meta": {}},
        }


def add_semantic_layer(p):
    orders_uid = p.by_ref["fct_orders"]
    fo = p.nodes[orders_uid]
    sm_uid = "semantic_model.%s.orders" % PROJECT

    def measure(name, agg, expr, desc, label):
        return {"name": name, "agg": agg, "description": desc, "label": label,
                "create_metric": False, "expr": expr, "agg_params": None,
                "non_additive_dimension": None, "agg_time_dimension": None,
                "config": {"meta": {}}}

    def dimension(name, typ, desc, grain=None):
        return {"name": name, "type": typ, "description": desc, "label": None,
                "is_partition": False,
                "type_params": {"time_granularity": grain, "validity_params": None} if grain else None,
                "expr": None, "metadata": None, "config": {"meta": {}}}

    p.semantic_models[sm_uid] = {
        "name": "orders", "resource_type": "semantic_model", "package_name": PROJECT,
        "path": "marts/core/_semantic_models.yml",
        "original_file_path": "models/marts/core/_semantic_models.yml", "unique_id": sm_uid,
        "fqn": [PROJECT, "marts", "core", "orders"], "model": "ref('fct_orders')",
        "node_relation": {"alias": fo["alias"], "schema_name": fo["schema"],
                          "database": DATABASE, "relation_name": fo["relation_name"]},
        "description": "Orders of the web shop for the semantic layer: order counts and "
                       "revenue by day, status and marketing channel.",
        "label": "Orders", "defaults": {"agg_time_dimension": "ordered_at"},
        "entities": [
            {"name": "order", "type": "primary", "description": "An order.", "label": None,
             "role": None, "expr": "order_id", "config": {"meta": {}}},
            {"name": "customer", "type": "foreign", "description": "The customer.", "label": None,
             "role": None, "expr": "customer_id", "config": {"meta": {}}},
        ],
        "measures": [
            measure("order_count", "count", "order_id", "Number of orders.", "Orders"),
            measure("net_revenue", "sum", "net_revenue",
                    "Revenue after refunds, in dollars.", "Net revenue"),
            measure("gross_revenue", "sum", "total_paid_amount",
                    "Paid through Stripe before refunds, in dollars.", "Gross revenue"),
        ],
        "dimensions": [
            dimension("ordered_at", "time", "When the order was placed.", "day"),
            dimension("order_status", "categorical", "Fulfilment status."),
            dimension("channel", "categorical", "Marketing channel of the converting session."),
        ],
        "metadata": None, "depends_on": {"macros": [], "nodes": [orders_uid]},
        "refs": [refobj("fct_orders")], "created_at": PARSED_AT,
        "config": {"enabled": True, "group": None, "meta": {"owner": OWNERS["finance"]}},
        "unrendered_config": {}, "primary_entity": None, "group": None,
    }
    for name, label, meas, desc in [
        ("revenue", "Revenue", "net_revenue",
         "Net revenue of web shop orders after refunds: the company's headline revenue metric."),
        ("order_count", "Orders", "order_count", "Number of orders placed on the web shop."),
    ]:
        mref = {"name": meas, "filter": None, "alias": None, "join_to_timespine": False,
                "fill_nulls_with": None}
        uid = "metric.%s.%s" % (PROJECT, name)
        p.metrics[uid] = {
            "name": name, "resource_type": "metric", "package_name": PROJECT,
            "path": "marts/core/_semantic_models.yml",
            "original_file_path": "models/marts/core/_semantic_models.yml", "unique_id": uid,
            "fqn": [PROJECT, "marts", "core", name], "description": desc, "label": label,
            "type": "simple",
            "type_params": {"measure": mref, "input_measures": [mref], "numerator": None,
                            "denominator": None, "expr": None, "window": None,
                            "grain_to_date": None, "metrics": [], "conversion_type_params": None,
                            "cumulative_type_params": None},
            "filter": None, "metadata": None, "time_granularity": None,
            "meta": {"owner": OWNERS["finance"]}, "tags": ["finance"],
            "config": {"enabled": True, "group": None, "meta": {"owner": OWNERS["finance"]}},
            "unrendered_config": {}, "sources": [],
            "depends_on": {"macros": [], "nodes": [sm_uid]}, "refs": [], "metrics": [],
            "created_at": PARSED_AT, "group": None,
        }


def graph_maps(p):
    parent_map, child_map = {}, {}
    everything = {}
    for coll in (p.nodes, p.sources, p.exposures, p.metrics, p.semantic_models, p.unit_tests):
        everything.update(coll)
    for uid in everything:
        parent_map[uid] = []
        child_map[uid] = []
    for uid, n in everything.items():
        if n["resource_type"] == "source":
            continue
        for dep in n["depends_on"].get("nodes", []):
            if dep not in parent_map[uid]:
                parent_map[uid].append(dep)
            child_map[dep].append(uid)
    return ({k: sorted(v) for k, v in sorted(parent_map.items())},
            {k: sorted(v) for k, v in sorted(child_map.items())})


def build_project():
    p = Project()
    add_macros(p)
    add_docs(p)
    add_sources(p)
    add_seeds(p)
    add_snapshot(p)
    add_models(p)
    add_generic_tests(p)
    add_singular_test(p)
    add_unit_test(p)
    add_exposures(p)
    add_groups(p)
    add_semantic_layer(p)
    return p


def manifest_doc(p, invocation_id, started):
    parent_map, child_map = graph_maps(p)
    group_map = {}
    for uid, n in sorted(p.nodes.items()):
        if n.get("group"):
            group_map.setdefault(n["group"], []).append(uid)
    return {
        "metadata": {
            "dbt_schema_version": SCHEMAS["m"], "dbt_version": DBT_VERSION,
            "generated_at": iso_z(started + timedelta(seconds=2.871)),
            "invocation_id": invocation_id,
            "invocation_started_at": iso_offset(started - timedelta(seconds=0.412)),
            "env": {}, "project_name": PROJECT, "project_id": md5(PROJECT),
            "user_id": None, "send_anonymous_usage_stats": False, "adapter_type": ADAPTER,
            "quoting": {"database": True, "schema": True, "identifier": True, "column": None},
            "run_started_at": iso_offset(started),
        },
        "nodes": p.nodes, "sources": p.sources, "macros": p.macros, "docs": p.docs,
        "exposures": p.exposures, "metrics": p.metrics, "groups": p.groups, "selectors": {},
        "disabled": {}, "parent_map": parent_map, "child_map": child_map,
        "group_map": group_map, "saved_queries": {}, "semantic_models": p.semantic_models,
        "unit_tests": p.unit_tests,
    }


# --------------------------------------------------------------------------
# catalog.json
# --------------------------------------------------------------------------

def catalog_doc(p, invocation_id, started):
    def entry(uid, n, typ, owner):
        return {
            "metadata": {"type": typ, "schema": n["schema"],
                         "name": n.get("alias") or n.get("identifier"), "database": DATABASE,
                         "comment": None, "owner": owner},
            "columns": {c: {"type": t, "index": i + 1, "name": c, "comment": None}
                        for i, (c, t) in enumerate(p.catalog_columns[uid])},
            "stats": {"has_stats": {"id": "has_stats", "label": "Has Stats?", "value": False,
                                    "include": False,
                                    "description": "Indicates whether there are statistics for this table"}},
            "unique_id": uid,
        }
    nodes = {}
    for uid, n in sorted(p.nodes.items()):
        if uid in p.catalog_columns:
            typ = "VIEW" if n["config"]["materialized"] == "view" else "BASE TABLE"
            nodes[uid] = entry(uid, n, typ, "dbt_transformer")
    sources = {uid: entry(uid, n, "BASE TABLE", p.catalog_owner[uid])
               for uid, n in sorted(p.sources.items())}
    return {
        "metadata": {"dbt_schema_version": SCHEMAS["cat"], "dbt_version": DBT_VERSION,
                     "generated_at": iso_z(started + timedelta(minutes=6, seconds=41.3)),
                     "invocation_id": invocation_id,
                     "invocation_started_at": iso_offset(started + timedelta(minutes=6, seconds=37)),
                     "env": {}},
        "nodes": nodes, "sources": sources, "errors": None,
    }


# --------------------------------------------------------------------------
# run_results.json: a `dbt build` in DAG order on 4 threads
# --------------------------------------------------------------------------

def build_order(p):
    """Executable nodes in the order `dbt build` runs them: a node after its parents, the
    tests of a model before the model's children, unit tests before their model."""
    execs = {uid: n for uid, n in p.nodes.items()
             if n["resource_type"] != "model" or n["config"]["materialized"] != "ephemeral"}
    execs.update(p.unit_tests)
    ephemeral = {uid for uid, n in p.nodes.items()
                 if n["resource_type"] == "model" and n["config"]["materialized"] == "ephemeral"}

    def resolved_parents(uid):
        out = []
        for d in (p.nodes.get(uid) or p.unit_tests[uid])["depends_on"].get("nodes", []):
            if d in ephemeral:
                out.extend(resolved_parents(d))
            elif d in execs:
                out.append(d)
        return out

    before = {uid: set(resolved_parents(uid)) for uid in execs}
    tests_of = {}
    for uid, n in execs.items():
        if n["resource_type"] == "test":
            for d in resolved_parents(uid):
                tests_of.setdefault(d, set()).add(uid)
    for uid, n in execs.items():
        if n["resource_type"] in ("model", "snapshot", "seed"):
            for parent in list(before[uid]):
                # tests of a parent run before this child (unless the test reads the child)
                for t in tests_of.get(parent, ()):
                    if uid not in before[t]:
                        before[uid].add(t)
    for uid, n in execs.items():
        if n["resource_type"] == "unit_test":
            tested = n["depends_on"]["nodes"][0]
            before[uid] = set(resolved_parents(tested))
            before[tested].add(uid)
    order, done = [], set()
    kind_rank = {"seed": 0, "snapshot": 1, "unit_test": 2, "model": 3, "test": 4}
    while len(order) < len(execs):
        ready = sorted((uid for uid in execs if uid not in done and before[uid] <= done),
                       key=lambda u: (kind_rank[execs[u]["resource_type"]], u))
        if not ready:
            raise SystemExit("cycle in build order: %s" % sorted(set(execs) - done))
        order.append(ready[0])
        done.add(ready[0])
    return order, before


def descendants(p, uid, child_map):
    out, stack = set(), [uid]
    while stack:
        for c in child_map.get(stack.pop(), []):
            if c not in out and (c in p.nodes or c in p.unit_tests):
                out.add(c)
                stack.append(c)
    return out


def run_results_doc(p, invocation_id, started, outcomes, label):
    _, child_map = graph_maps(p)
    order, before = build_order(p)
    fails = {p.test_names[name]: o for name, o in outcomes.items()}
    # dbt build: a failing error-severity test skips every non-test child of the
    # nodes it tests, and everything downstream of those children.
    skipped = set()
    for tuid, (status, _, _) in fails.items():
        if status == "fail":
            for parent in p.nodes[tuid]["depends_on"]["nodes"]:
                for child in child_map.get(parent, []):
                    if child in p.nodes and p.nodes[child]["resource_type"] != "test":
                        skipped |= {child} | descendants(p, child, child_map)

    # List scheduling on dbt's 4 threads: a node starts when a thread is free and
    # everything it waits for has finished.  Results are written in completion order.
    threads = [started + timedelta(seconds=1.9)] * 4
    ended = {}
    results = []
    for uid in order:
        n = p.nodes.get(uid) or p.unit_tests[uid]
        rtype = n["resource_type"]
        ti = min(range(4), key=lambda i: threads[i])
        t0 = max([threads[ti]] + [ended[d] for d in before[uid]])
        if uid in skipped:
            ended[uid] = t0
            results.append((t0, {
                "status": "skipped", "timing": [], "thread_id": "Thread-%d (worker)" % (ti + 1),
                "execution_time": 0, "adapter_response": {}, "message": None, "failures": None,
                "unique_id": uid, "compiled": False, "compiled_code": None,
                "relation_name": n.get("relation_name"), "batch_results": None}))
            continue
        mat = n.get("config", {}).get("materialized")
        rows = p.rows.get(uid, 0)
        scale = rows / 400000.0
        if rtype == "test":
            dur = det_float(0.04, 0.9, uid, label) + scale
            status, failures, message = outcomes.get(n["name"], ("pass", 0, None))
            adapter = {"_message": "SELECT 1", "code": "SELECT", "rows_affected": 1}
        elif rtype == "unit_test":
            dur = det_float(0.1, 0.4, uid, label)
            status, failures, message, adapter = "pass", 0, None, {}
        elif rtype == "seed":
            dur = det_float(0.3, 1.2, uid, label)
            status, failures = "success", None
            message = "INSERT %d" % rows
            adapter = {"_message": message, "code": "INSERT", "rows_affected": rows}
        elif rtype == "snapshot":
            dur = det_float(1.5, 3.5, uid, label)
            changed = det_int(0, 9, uid, label)
            status, failures, message = "success", None, "INSERT 0 %d" % changed
            adapter = {"_message": message, "code": "INSERT", "rows_affected": changed}
        elif mat == "view":
            dur = det_float(0.08, 0.35, uid, label)
            status, failures, message = "success", None, "CREATE VIEW"
            adapter = {"_message": "CREATE VIEW", "code": "CREATE VIEW", "rows_affected": -1}
        elif mat == "incremental":
            dur = det_float(4.0, 9.0, uid, label)
            new = det_int(300, 1400, uid, label)
            status, failures, message = "success", None, "INSERT 0 %d" % new
            adapter = {"_message": message, "code": "INSERT", "rows_affected": new}
        else:
            dur = det_float(0.3, 1.5, uid, label) + 8 * scale
            status, failures = "success", None
            message = "SELECT %d" % rows
            adapter = {"_message": message, "code": "SELECT", "rows_affected": rows}
        if rtype == "test":
            for tested in n["depends_on"]["nodes"]:
                tests_scale = p.rows.get(tested, 0) / 400000.0
                dur = max(dur, det_float(0.04, 0.9, uid, label) + tests_scale)
        compile_end = t0 + timedelta(seconds=0.012 + det_float(0.0, 0.03, uid))
        exec_start = compile_end + timedelta(seconds=0.0004)
        end = exec_start + timedelta(seconds=dur)
        threads[ti] = end + timedelta(seconds=0.006)
        ended[uid] = end
        results.append((end, {
            "status": status,
            "timing": [{"name": "compile", "started_at": iso_z(t0), "completed_at": iso_z(compile_end)},
                       {"name": "execute", "started_at": iso_z(exec_start), "completed_at": iso_z(end)}],
            "thread_id": "Thread-%d (worker)" % (ti + 1),
            "execution_time": round((end - t0).total_seconds(), 6),
            "adapter_response": adapter, "message": message, "failures": failures,
            "unique_id": uid,
            "compiled": rtype != "unit_test",
            "compiled_code": n.get("compiled_code") if rtype != "seed" else None,
            "relation_name": n.get("relation_name") if rtype in ("model", "seed", "snapshot") else None,
            "batch_results": None,
        }))
    results = [r for _, r in sorted(results, key=lambda e: e[0])]
    finished = max(threads) + timedelta(seconds=0.35)
    return {
        "metadata": {"dbt_schema_version": SCHEMAS["rr"], "dbt_version": DBT_VERSION,
                     "generated_at": iso_z(finished), "invocation_id": invocation_id,
                     "invocation_started_at": iso_offset(started - timedelta(seconds=0.412)),
                     "env": {}},
        "results": results,
        "elapsed_time": round((finished - started).total_seconds(), 6),
        "args": {
            "which": "build", "invocation_command": "dbt build --target prod",
            "target": "prod", "threads": 4, "select": [], "exclude": [],
            "resource_types": [], "indirect_selection": "eager", "full_refresh": False,
            "project_dir": ROOT_PATH, "profiles_dir": "/opt/cairn-outfitters/.dbt",
            "log_path": ROOT_PATH + "/logs", "log_level": "info", "log_format": "json",
            "write_json": True, "partial_parse": True, "static_parser": True,
            "send_anonymous_usage_stats": False, "vars": {}, "defer": False,
            "favor_state": False, "introspect": True, "populate_cache": True,
            "use_colors": False, "printer_width": 80, "quiet": False, "empty": False,
            "warn_error_options": {"include": [], "exclude": []}, "version_check": True,
        },
    }


# --------------------------------------------------------------------------
# sources.json: `dbt source freshness` after the build
# --------------------------------------------------------------------------

FRESHNESS_AGE = {  # source uid suffix -> hours since last load (status follows from criteria)
    "shop.customers": 0.42, "shop.orders": 0.37, "shop.order_items": 0.37,
    "stripe.payments": 14.6, "stripe.refunds": 1.2,
    "web_events.sessions": 0.08, "web_events.page_views": 3.9,
}


def sources_doc(p, invocation_id, started):
    t = started + timedelta(minutes=7, seconds=12)
    results = []
    to_hours = {"minute": 1 / 60, "hour": 1, "day": 24}
    for key, age_h in FRESHNESS_AGE.items():
        src, tbl = key.split(".")
        uid = p.source_uid[(src, tbl)]
        s = p.sources[uid]
        fr = s["freshness"]
        warn = fr["warn_after"]["count"] * to_hours[fr["warn_after"]["period"]]
        err = fr["error_after"]["count"] * to_hours[fr["error_after"]["period"]]
        status = "error" if age_h > err else "warn" if age_h > warn else "pass"
        dur = det_float(0.05, 0.6, uid)
        snap = t + timedelta(seconds=dur)
        results.append({
            "unique_id": uid,
            "max_loaded_at": iso_offset(snap - timedelta(hours=age_h)),
            "snapshotted_at": iso_offset(snap),
            "max_loaded_at_time_ago_in_s": round(age_h * 3600, 3),
            "status": status,
            "criteria": fr,
            "adapter_response": {"_message": "SELECT 1", "code": "SELECT", "rows_affected": 1},
            "timing": [{"name": "compile", "started_at": iso_z(t), "completed_at": iso_z(t)},
                       {"name": "execute", "started_at": iso_z(t), "completed_at": iso_z(snap)}],
            "thread_id": "Thread-1 (worker)", "execution_time": round(dur, 6),
        })
        t = snap + timedelta(seconds=0.01)
    return {
        "metadata": {"dbt_schema_version": SCHEMAS["src"], "dbt_version": DBT_VERSION,
                     "generated_at": iso_z(t), "invocation_id": invocation_id,
                     "invocation_started_at": iso_offset(started + timedelta(minutes=7, seconds=9)),
                     "env": {}},
        "results": results,
        "elapsed_time": round((t - started - timedelta(minutes=7, seconds=9)).total_seconds(), 6),
    }


# --------------------------------------------------------------------------
# Validation and output
# --------------------------------------------------------------------------

def validate(out):
    def load(rel):
        with open(os.path.join(out, rel), encoding="utf-8") as f:
            return json.load(f)

    m = load("target/manifest.json")
    cat = load("target/catalog.json")
    rr = load("target/run_results.json")
    src = load("target/sources.json")
    prev_m = load("target_previous/manifest.json")
    prev_rr = load("target_previous/run_results.json")
    errors = []
    ids = set()
    for key in ("nodes", "sources", "exposures", "metrics", "semantic_models", "unit_tests"):
        ids |= set(m[key])
    for key in ("nodes", "exposures", "metrics", "semantic_models", "unit_tests"):
        for uid, n in m[key].items():
            for dep in n["depends_on"].get("nodes", []):
                if dep not in ids:
                    errors.append("%s depends on unknown %s" % (uid, dep))
            for mac in n["depends_on"].get("macros", []):
                if mac not in m["macros"]:
                    errors.append("%s uses unknown macro %s" % (uid, mac))
            for db in n.get("doc_blocks", []) + [b for c in n.get("columns", {}).values()
                                                 for b in c["doc_blocks"]]:
                if db not in m["docs"]:
                    errors.append("%s references unknown doc %s" % (uid, db))
            if n.get("attached_node") and n["attached_node"] not in ids:
                errors.append("%s attached to unknown %s" % (uid, n["attached_node"]))
    if set(m["parent_map"]) != ids or set(m["child_map"]) != ids:
        errors.append("parent_map/child_map keys differ from the manifest's resources")
    for child, parents in m["parent_map"].items():
        for parent in parents:
            if child not in m["child_map"][parent]:
                errors.append("child_map[%s] lacks %s" % (parent, child))
    for parent, children in m["child_map"].items():
        for child in children:
            if parent not in m["parent_map"][child]:
                errors.append("parent_map[%s] lacks %s" % (child, parent))
    for doc, label in ((rr, "run_results"), (prev_rr, "previous run_results"), (src, "sources")):
        for r in doc["results"]:
            if r["unique_id"] not in ids:
                errors.append("%s: unknown %s" % (label, r["unique_id"]))
    for section in ("nodes", "sources"):
        for uid, e in cat[section].items():
            if uid not in ids:
                errors.append("catalog: unknown %s" % uid)
    for uid, n in m["nodes"].items():
        needs_catalog = n["resource_type"] in ("seed", "snapshot") or (
            n["resource_type"] == "model" and n["config"]["materialized"] != "ephemeral")
        if needs_catalog and uid not in cat["nodes"]:
            errors.append("catalog lacks %s" % uid)
        if needs_catalog and n["relation_name"] != '"%s"."%s"."%s"' % (
                n["database"], n["schema"], n["alias"]):
            errors.append("%s: relation_name does not match database/schema/alias" % uid)
    for uid in m["sources"]:
        if uid not in cat["sources"]:
            errors.append("catalog lacks %s" % uid)
    if rr["metadata"]["invocation_id"] == prev_rr["metadata"]["invocation_id"]:
        errors.append("previous run shares the invocation_id of the current one")
    if prev_rr["metadata"]["generated_at"] >= rr["metadata"]["generated_at"]:
        errors.append("previous run is not older than the current one")
    if prev_m["nodes"] != m["nodes"]:
        errors.append("previous manifest differs in nodes")
    if errors:
        for e in errors:
            print("invalid: " + e, file=sys.stderr)
        raise SystemExit(1)
    return m, cat, rr, src, prev_rr


def write_json(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")


def summarize(m, cat, rr, src, prev_rr):
    from collections import Counter
    nodes = Counter(n["resource_type"] for n in m["nodes"].values())
    mats = Counter(n["config"]["materialized"] for n in m["nodes"].values()
                   if n["resource_type"] == "model")
    tests = [n for n in m["nodes"].values() if n["resource_type"] == "test"]
    lines = [
        "models: %d (%s)" % (nodes["model"], ", ".join("%s %d" % kv for kv in sorted(mats.items()))),
        "seeds: %d, snapshots: %d, sources: %d (%d systems)" % (
            nodes["seed"], nodes["snapshot"], len(m["sources"]),
            len({s["source_name"] for s in m["sources"].values()})),
        "tests: %d (%d generic, %d singular), unit tests: %d" % (
            len(tests), sum(1 for t in tests if "test_metadata" in t),
            sum(1 for t in tests if "test_metadata" not in t), len(m["unit_tests"])),
        "exposures: %d, semantic models: %d, metrics: %d, docs: %d, groups: %d, macros: %d" % (
            len(m["exposures"]), len(m["semantic_models"]), len(m["metrics"]), len(m["docs"]),
            len(m["groups"]), len(m["macros"])),
        "catalog: %d nodes, %d sources" % (len(cat["nodes"]), len(cat["sources"])),
        "run_results (current %s): %s" % (rr["metadata"]["invocation_id"][:8], dict(
            sorted(Counter(r["status"] for r in rr["results"]).items()))),
        "run_results (previous %s): %s" % (prev_rr["metadata"]["invocation_id"][:8], dict(
            sorted(Counter(r["status"] for r in prev_rr["results"]).items()))),
        "source freshness: %s" % dict(sorted(Counter(r["status"] for r in src["results"]).items())),
    ]
    return lines


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory (target/ and "
                    "target_previous/ are written inside it)")
    ap.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = ap.parse_args(argv)

    p = build_project()
    cur_id = det_uuid("invocation", "current")
    prev_id = det_uuid("invocation", "previous")
    out = args.out
    write_json(os.path.join(out, "target", "manifest.json"), manifest_doc(p, cur_id, CURRENT_START))
    write_json(os.path.join(out, "target", "catalog.json"), catalog_doc(p, cur_id, CURRENT_START))
    write_json(os.path.join(out, "target", "run_results.json"),
               run_results_doc(p, cur_id, CURRENT_START, CURRENT_TEST_OUTCOMES, "current"))
    write_json(os.path.join(out, "target", "sources.json"),
               sources_doc(p, det_uuid("invocation", "freshness"), CURRENT_START))
    write_json(os.path.join(out, "target_previous", "manifest.json"),
               manifest_doc(p, prev_id, PREVIOUS_START))
    write_json(os.path.join(out, "target_previous", "run_results.json"),
               run_results_doc(p, prev_id, PREVIOUS_START, PREVIOUS_TEST_OUTCOMES, "previous"))

    lines = summarize(*validate(out))
    if not args.quiet:
        print("Cairn Outfitters example project written to %s" % out)
        for line in lines:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
