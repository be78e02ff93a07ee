print("exhunt")
