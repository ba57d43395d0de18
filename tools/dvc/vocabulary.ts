/** Query templates of one topic; `{slot}` is filled from the topic's slots or the shared synonyms. */
export interface TopicVocabulary {
  templates: readonly string[];
  slots: Readonly<Record<string, readonly string[]>>;
}

/** Synonym lists every topic's templates may use. */
export const SHARED_SLOTS: Readonly<Record<string, readonly string[]>> = {
  best: ["best", "top", "top rated", "highest rated", "recommended"],
  cheap: ["cheap", "affordable", "budget", "inexpensive", "low cost", "discount"],
  buy: ["buy", "shop for", "order", "where to buy"],
  review: ["review", "reviews", "comparison", "pros and cons"],
  new: ["new", "latest", "newest", "upcoming"],
};

/** Words appended when a topic's templates run out of distinct queries. */
export const QUALIFIERS: readonly string[] = ["online", "near me", "on sale", "for beginners", "gift ideas", "deals", "guide", "in stock"];

/** Built-in vocabularies by topic. */
export const TOPIC_VOCABULARIES: Readonly<Record<string, TopicVocabulary>> = {
  electronics: {
    templates: ["{best} {product} under {price}", "{brand} {product} {review}", "{cheap} {product} with {feature}", "{new} {brand} {product}", "{buy} {product} for {use}", "{brand} {product} {accessory}", "{brand} {product} {problem}"],
    slots: {
      product: ["laptop", "wireless headphones", "smartphone", "tablet", "smartwatch", "4k tv", "gaming monitor", "bluetooth speaker", "mechanical keyboard", "wifi router", "action camera", "e-reader"],
      brand: ["apple", "samsung", "sony", "lenovo", "dell", "bose", "lg", "asus", "google", "anker"],
      price: ["$100", "$200", "$500", "$1000", "300 dollars"],
      feature: ["noise cancelling", "long battery life", "usb-c charging", "oled display", "fast charging", "wifi 6", "water resistance"],
      use: ["gaming", "travel", "students", "video editing", "home office", "running", "kids"],
      accessory: ["case", "charger", "screen protector", "stand", "replacement battery", "cable"],
      problem: ["not charging", "overheating", "no sound", "wifi keeps dropping", "screen flickering"],
    },
  },
  books: {
    templates: ["{best} {genre} books {period}", "{genre} novels like {title}", "books by {author} {period}", "{author} {format}", "{cheap} {format} {genre}", "{genre} books for {audience}", "{new} {genre} releases", "{title} {extra}"],
    slots: {
      genre: ["mystery", "science fiction", "fantasy", "romance", "historical fiction", "thriller", "self help", "biography", "young adult", "horror", "poetry", "cookbooks"],
      title: ["dune", "the hobbit", "pride and prejudice", "the da vinci code", "gone girl", "sapiens", "the martian", "little women"],
      author: ["stephen king", "agatha christie", "brandon sanderson", "jane austen", "haruki murakami", "toni morrison", "neil gaiman", "ursula k le guin"],
      format: ["paperback", "hardcover", "ebook", "audiobook", "box set"],
      audience: ["teens", "book clubs", "beginners", "kids", "long flights"],
      period: ["of all time", "this year", "this month", "of the decade"],
      extra: ["summary", "sequel", "movie vs book", "first edition", "reading guide"],
    },
  },
  fashion: {
    templates: ["{gender} {item} {style}", "{best} {item} for {occasion}", "{brand} {item} {size}", "{cheap} {color} {item}", "{material} {item} {gender}", "{new} {season} {item}", "how to style {color} {item}"],
    slots: {
      gender: ["womens", "mens", "kids", "unisex"],
      item: ["jeans", "sneakers", "dress", "jacket", "boots", "t-shirt", "hoodie", "handbag", "sunglasses", "swimsuit", "blazer", "scarf"],
      style: ["slim fit", "oversized", "vintage", "minimalist", "streetwear", "casual"],
      occasion: ["wedding guests", "the office", "a job interview", "summer vacation", "winter", "running errands"],
      brand: ["levis", "nike", "adidas", "zara", "uniqlo", "h&m", "patagonia", "ray-ban"],
      size: ["plus size", "petite", "tall", "size 10", "wide fit"],
      color: ["black", "white", "navy", "olive green", "beige", "red", "pastel pink"],
      material: ["linen", "leather", "cotton", "wool", "denim", "cashmere"],
      season: ["spring", "summer", "fall", "winter"],
    },
  },
  home: {
    templates: ["{best} {appliance} for {room}", "{cheap} {furniture} {style}", "{style} {furniture} for small {room}", "how to clean {surface}", "{brand} {appliance} {review}", "{material} {furniture} for {room}", "{new} {decor} ideas for {room}"],
    slots: {
      appliance: ["vacuum cleaner", "air purifier", "robot vacuum", "dehumidifier", "space heater", "coffee maker", "blender", "ceiling fan"],
      room: ["living room", "bedroom", "kitchen", "bathroom", "apartment", "home office", "nursery"],
      furniture: ["sofa", "dining table", "bookshelf", "bed frame", "desk", "armchair", "tv stand", "dresser"],
      style: ["mid century modern", "scandinavian", "farmhouse", "industrial", "boho", "minimalist"],
      surface: ["hardwood floors", "grout", "a mattress", "stainless steel", "an oven", "windows"],
      brand: ["dyson", "ikea", "shark", "roomba", "cuisinart", "philips"],
      material: ["solid oak", "walnut", "rattan", "velvet", "marble"],
      decor: ["wall art", "lighting", "rug", "curtain", "plant"],
    },
  },
  sports: {
    templates: ["{best} {gear} for {sport}", "{sport} {gear} for {level}", "{brand} {gear} {review}", "{cheap} {gear} for {level}", "{sport} training plan for {level}", "{team} {merch}", "how to improve {skill}"],
    slots: {
      gear: ["running shoes", "tennis racket", "yoga mat", "soccer cleats", "golf clubs", "mountain bike", "basketball", "swim goggles", "dumbbells", "hiking backpack"],
      sport: ["running", "tennis", "yoga", "soccer", "golf", "cycling", "basketball", "swimming", "hiking", "weightlifting"],
      level: ["beginners", "intermediate players", "seniors", "kids", "marathon training"],
      brand: ["nike", "adidas", "wilson", "callaway", "garmin", "under armour", "asics"],
      team: ["lakers", "real madrid", "yankees", "manchester united", "chicago bulls", "new england patriots"],
      merch: ["jersey", "tickets", "cap", "schedule", "scarf"],
      skill: ["running pace", "golf swing", "free throw accuracy", "serve speed", "swimming endurance", "vertical jump"],
    },
  },
  travel: {
    templates: ["{cheap} flights to {city}", "{best} hotels in {city} {near}", "things to do in {city} {when}", "{city} {trip} itinerary", "{best} {gear} for {trip}", "{city} travel {info}", "{trip} packing list {when}"],
    slots: {
      city: ["paris", "tokyo", "new york", "barcelona", "lisbon", "bali", "cancun", "rome", "reykjavik", "cape town", "bangkok", "sydney"],
      near: ["near the airport", "with pool", "downtown", "for families", "on the beach"],
      when: ["in winter", "this weekend", "with kids", "on a budget", "at night"],
      trip: ["weekend", "honeymoon", "road trip", "backpacking", "business trip", "ski trip"],
      gear: ["carry on luggage", "travel backpack", "packing cubes", "travel adapter", "neck pillow"],
      info: ["visa requirements", "weather", "safety tips", "public transport", "best time to visit"],
    },
  },
  groceries: {
    templates: ["{fresh} {produce} {delivery}", "{cheap} {pantry} {delivery}", "{diet} {snack}", "{best} {pantry} brand", "{produce} recipes for {meal}", "{diet} {meal} ideas", "{buy} {beverage} {pack}"],
    slots: {
      fresh: ["organic", "fresh", "local", "seasonal", "frozen"],
      produce: ["avocados", "strawberries", "spinach", "bananas", "tomatoes", "blueberries", "sweet potatoes", "kale"],
      delivery: ["delivery", "near me", "same day delivery", "in bulk", "on sale"],
      pantry: ["olive oil", "pasta", "rice", "peanut butter", "oat milk", "coffee beans", "granola", "canned tomatoes"],
      diet: ["gluten free", "vegan", "keto", "low sodium", "high protein", "dairy free"],
      snack: ["snacks", "crackers", "protein bars", "chips", "cookies"],
      meal: ["breakfast", "lunch", "dinner", "meal prep", "kids lunchboxes"],
      beverage: ["sparkling water", "green tea", "cold brew", "kombucha", "orange juice"],
      pack: ["12 pack", "family size", "single serve", "bulk"],
    },
  },
  music: {
    templates: ["{genre} {media} {period}", "{artist} {release}", "{best} {instrument} for {level}", "{cheap} {gear} for {level}", "{artist} concert {info}", "songs like {song} {period}", "learn {instrument} {lesson}"],
    slots: {
      genre: ["jazz", "hip hop", "classical", "indie rock", "country", "k-pop", "electronic", "lo-fi", "metal", "r&b"],
      media: ["playlist", "vinyl records", "albums", "radio", "podcasts"],
      period: ["from the 90s", "for studying", "for workouts", "new releases", "classics"],
      artist: ["taylor swift", "beyonce", "the beatles", "miles davis", "bts", "radiohead", "kendrick lamar", "adele"],
      release: ["new album", "greatest hits", "vinyl", "tour dates", "lyrics", "live album"],
      instrument: ["acoustic guitar", "digital piano", "ukulele", "drum kit", "violin", "electric bass"],
      level: ["beginners", "kids", "adults", "advanced players"],
      gear: ["studio headphones", "audio interface", "usb microphone", "guitar amp", "midi keyboard", "turntable"],
      info: ["tickets", "setlist", "dates", "presale code"],
      song: ["bohemian rhapsody", "blinding lights", "hotel california", "bad guy", "clair de lune", "hey jude"],
      lesson: ["online", "for beginners", "chords", "in 30 days", "by ear"],
    },
  },
};

/** The vocabulary of any other topic: templates around the topic's own name (`{subject}`). */
export function genericVocabulary(topic: string): TopicVocabulary {
  return {
    templates: ["{best} {subject} {thing}", "{subject} {thing} for {who}", "{cheap} {subject} {thing}", "{new} {subject} {thing}", "{subject} {thing} {place}", "{subject} for {who} {place}"],
    slots: {
      subject: [topic.replace(/[_-]+/g, " ").trim() || "products"],
      thing: ["deals", "guide", "ideas", "reviews", "accessories", "tips", "essentials", "kit", "brands", "alternatives"],
      who: ["beginners", "kids", "families", "professionals", "seniors", "students"],
      place: ["near me", "online", "in stock", "with free shipping", "on sale"],
    },
  };
}

/** The vocabulary of `topic`: a built-in one, or the generic one. */
export function vocabularyFor(topic: string): TopicVocabulary {
  return TOPIC_VOCABULARIES[topic] ?? genericVocabulary(topic);
}
