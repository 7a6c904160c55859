namespace PerfSage;

/// <summary>Which part of a data set a model belongs to.</summary>
public enum Split
{
    /// <summary><c>train</c>.</summary>
    Train = 0,

    /// <summary><c>val</c>.</summary>
    Validation = 1,

    /// <summary><c>test</c>.</summary>
    Test = 2,
}

/// <summary>Split names: as <c>splits.csv</c> writes them (<c>train</c>, <c>val</c>, <c>test</c>), and the
/// looser spellings a command-line option accepts.</summary>
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

    /// <summary>The split spelled exactly as <c>splits.csv</c> writes it, or null.</summary>
    public static Split? FromFileName(string? name) => name switch
    {
        "train" => Split.Train,
        "val" => Split.Validation,
        "test" => Split.Test,
        _ => null,
    };

    /// <summary>Parses an option value: <c>train</c>, <c>val</c>/<c>valid</c>/<c>validation</c> or <c>test</c>,
    /// case-insensitive, surrounding spaces ignored.</summary>
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
}
