using PerfSage.Tflite;

namespace PerfSage.Dataset.Spaces;

/// <summary>The registry of search spaces by name.</summary>
public static class SearchSpaces
{
    /// <summary>Every space, in documentation order.</summary>
    public static IReadOnlyList<ISearchSpace> All { get; } =
    [
        new KwsSpace(),
        new VwwSpace(),
        new IcSpace(),
        new AdSpace(),
        new MobileSpace(),
        new Nb201Space(TensorType.Float32),
        new Nb201Space(TensorType.Int8),
        new OpsSpace(),
    ];

    /// <summary>The names of <see cref="All"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(s => s.Name)];

    /// <summary>The space named <paramref name="name"/> (case-insensitive). Throws
    /// <see cref="SearchSpaceException"/> listing the valid names when there is none.</summary>
    public static ISearchSpace Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (ISearchSpace space in All)
        {
            if (string.Equals(space.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return space;
            }
        }
        throw new SearchSpaceException($"unknown search space '{name}' (valid: {string.Join(", ", Names)})");
    }
}
