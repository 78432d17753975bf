"""The front-counter desktop app: a Tk form that works offline and keeps an Excel workbook.

It never imports the database layer: inquiries live in a local store until they are synced.
"""
