channel_id = "c"
users = = 3
