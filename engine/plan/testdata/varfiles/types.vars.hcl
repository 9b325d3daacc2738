lines = ["Olá", "Quero comprar ingressos"]
settings = {
  channel = "map-channel"
  unused  = 7
}
users = "4"   # a string that is a number
rate  = "2.5" # converted to the default's type, as -var rate=2.5 is
label = 42    # converted to the declared string
