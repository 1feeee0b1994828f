"""The public report platform (举报平台, 一(一)5): submissions, receipts, handling."""
