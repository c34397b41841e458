"""The rest of the notice: study plans, open calls (揭榜挂帅), USCC checks, Word and PDF forms.

May import: plugins, rules, base.
"""
