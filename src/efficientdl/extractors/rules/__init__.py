"""Regex rules that turn sentences and table cells into component values."""
