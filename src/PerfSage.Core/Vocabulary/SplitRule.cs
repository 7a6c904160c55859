namespace PerfSage;

/// <summary>
/// The one rule that assigns a model to train, validation or test from its id: <c>dataset split --by hash</c>
/// writes it into <c>splits.csv</c>, and training and evaluation apply the same rule to a folder that has no
/// <c>splits.csv</c>, so a model's split never depends on which of them decided it.
/// </summary>
/// <remarks>
/// <c>u</c> = the first 8 bytes of SHA-256 of the UTF-8 text <c>"seed:model_id"</c> (seed in decimal), big-endian,
/// top 53 bits scaled to [0, 1) (<see cref="Hashing.UnitInterval"/>); <c>u &lt; test</c> → test,
/// <c>u &lt; test + validation</c> → validation, otherwise train. A pure function of the seed and the id, so a
/// model keeps its split as others are added or the folder is reordered. <see cref="Name"/> is recorded as
/// <c>split_rule</c> in <c>dataset.json</c> and in a model's manifest; a folder or model that names another rule
/// is refused.
/// </remarks>
public static class SplitRule
{
    /// <summary>The rule's name as files record it.</summary>
    public const string Name = "sha256-seed-id";

    /// <summary>Default validation fraction (10 %).</summary>
    public const double DefaultValidationFraction = 0.1;

    /// <summary>Default test fraction (10 %).</summary>
    public const double DefaultTestFraction = 0.1;

    /// <summary>True when <paramref name="name"/> is this rule's <see cref="Name"/>.</summary>
    public static bool IsKnown(string? name) => string.Equals(name, Name, StringComparison.Ordinal);

    /// <summary>The split of <paramref name="modelId"/> (see the class remarks).</summary>
    public static Split Assign(string modelId, ulong seed = 0,
        double validationFraction = DefaultValidationFraction, double testFraction = DefaultTestFraction)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        if (!(validationFraction >= 0) || !(testFraction >= 0) || !(validationFraction + testFraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationFraction), "fractions must be non-negative and sum to at most 1");
        }
        double u = Unit(seed, modelId);
        return u < testFraction ? Split.Test : u < testFraction + validationFraction ? Split.Validation : Split.Train;
    }

    /// <summary>The rule's number in [0, 1) for a key (a model id, or for family splits a family key) under
    /// <paramref name="seed"/>.</summary>
    public static double Unit(ulong seed, string key) => Hashing.UnitInterval(KeyText(seed, key));

    /// <summary>The rule's 64-bit hash of a key under <paramref name="seed"/> (orders families).</summary>
    public static ulong Hash(ulong seed, string key) => Hashing.Sha256Prefix64(KeyText(seed, key));

    private static string KeyText(ulong seed, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return seed.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + key;
    }
}
