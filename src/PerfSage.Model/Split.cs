namespace PerfSage.Model;

/// <summary>Which part of a data set a sample belongs to.</summary>
public enum Split
{
    Train = 0,
    Validation = 1,
    Test = 2,
}

/// <summary>Split names as data sets write them (<c>train</c>, <c>val</c>, <c>test</c>) and a deterministic
/// default assignment for data sets that carry none.</summary>
public static class Splits
{
    /// <summary><c>train</c>, <c>val</c> or <c>test</c>.</summary>
    public static string Name(Split split) => split switch
    {
        Split.Train => "train",
        Split.Validation => "val",
        Split.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "not a split"),
    };

    /// <summary>Parses <c>train</c>, <c>val</c>/<c>validation</c> or <c>test</c> (case-insensitive).</summary>
    public static bool TryParse(string? name, out Split split)
    {
        switch (name?.Trim().ToUpperInvariant())
        {
            case "TRAIN":
                split = Split.Train;
                return true;
            case "VAL" or "VALID" or "VALIDATION":
                split = Split.Validation;
                return true;
            case "TEST":
                split = Split.Test;
                return true;
            default:
                split = default;
                return false;
        }
    }

    /// <summary>
    /// A split from the model id alone (FNV-1a of its UTF-8 bytes mixed with <paramref name="seed"/>), so a
    /// model keeps its split however the data set is ordered or grown: <paramref name="trainFraction"/>
    /// train, <paramref name="validationFraction"/> validation, the rest test (80/10/10 by default).
    /// </summary>
    public static Split ByHash(string modelId, ulong seed = 0, double trainFraction = 0.8, double validationFraction = 0.1)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        if (trainFraction < 0 || validationFraction < 0 || trainFraction + validationFraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(trainFraction), "fractions must be non-negative and sum to at most 1");
        }
        ulong h = 14695981039346656037UL ^ seed;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(modelId))
        {
            h = (h ^ b) * 1099511628211UL;
        }
        double u = SplitMix64.Mix(h) / (double)ulong.MaxValue;
        return u < trainFraction ? Split.Train : u < trainFraction + validationFraction ? Split.Validation : Split.Test;
    }
}
