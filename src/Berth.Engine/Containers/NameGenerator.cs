namespace Berth.Engine.Containers;

/// <summary>
/// Default container names in dockerd's style, "adjective_surname" (moby namesgenerator): an
/// adjective and the surname of a notable scientist or engineer. On a collision the caller
/// retries with a higher <c>retry</c>, which appends a random digit, as dockerd does.
/// The word lists are Berth's own.
/// </summary>
public static class NameGenerator
{
    internal static readonly string[] Adjectives =
    [
        "able", "agile", "airy", "amazing", "amused", "ardent", "astute", "awake", "balanced", "blissful",
        "bold", "brave", "bright", "brisk", "busy", "calm", "candid", "careful", "charming", "cheerful",
        "clever", "cool", "cosmic", "crisp", "curious", "daring", "dazzling", "deft", "devoted", "eager",
        "earnest", "elated", "elegant", "epic", "fearless", "fervent", "festive", "fond", "frosty", "gallant",
        "gentle", "gifted", "glad", "gleaming", "graceful", "grateful", "happy", "hardy", "hopeful", "humble",
        "jolly", "jovial", "keen", "kind", "lively", "loyal", "lucid", "lucky", "merry", "mellow",
        "mindful", "modest", "nifty", "nimble", "noble", "patient", "peaceful", "placid", "plucky", "polite",
        "proud", "quick", "quiet", "radiant", "rapid", "relaxed", "resolute", "serene", "sharp", "shiny",
        "silent", "sincere", "snappy", "spirited", "steady", "stoic", "sunny", "swift", "tender", "thirsty",
        "tidy", "upbeat", "valiant", "vibrant", "vigilant", "vivid", "warm", "wise", "witty", "zealous",
    ];

    internal static readonly string[] Surnames =
    [
        "agnesi", "alhazen", "ampere", "archimedes", "avogadro", "babbage", "bardeen", "bassi", "becquerel", "bell",
        "bernoulli", "bohr", "boltzmann", "boole", "born", "bose", "brahe", "carnot", "carson", "cauchy",
        "cavendish", "chandrasekhar", "clausius", "copernicus", "coulomb", "crick", "curie", "dalton", "darwin", "descartes",
        "dijkstra", "dirac", "doppler", "edison", "einstein", "euclid", "euler", "faraday", "fermat", "fermi",
        "feynman", "fibonacci", "fourier", "franklin", "galileo", "galois", "gauss", "germain", "gibbs", "goodall",
        "hamilton", "hawking", "heisenberg", "hertz", "hilbert", "hodgkin", "hopper", "hubble", "huygens", "hypatia",
        "jacobi", "joule", "kelvin", "kepler", "knuth", "kovalevskaya", "lagrange", "lamarr", "laplace", "lavoisier",
        "leibniz", "lovelace", "maxwell", "meitner", "mendel", "mendeleev", "michelson", "minsky", "mirzakhani", "morse",
        "napier", "newton", "nobel", "noether", "ohm", "pascal", "pasteur", "pauli", "pauling", "planck",
        "poincare", "ramanujan", "riemann", "ritchie", "rutherford", "sagan", "schrodinger", "shannon", "somerville", "tesla",
        "thompson", "torvalds", "turing", "volta", "wallace", "watt", "wiles", "wright", "wu", "yalow",
    ];

    /// <summary>A name; <paramref name="retry"/> &gt; 0 appends a digit (0-9) to get past collisions.</summary>
    public static string Generate(int retry = 0, Random? random = null)
    {
        random ??= Random.Shared;
        string name = Adjectives[random.Next(Adjectives.Length)] + "_" + Surnames[random.Next(Surnames.Length)];
        return retry > 0 ? name + random.Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture) : name;
    }
}
