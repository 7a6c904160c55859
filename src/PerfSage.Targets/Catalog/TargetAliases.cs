namespace PerfSage.Targets;

/// <summary>
/// One name given to <c>--target</c> and the target id it stands for. <see cref="Requested"/> equals
/// <see cref="Id"/> unless the name was a family name (<see cref="TargetAliases"/>).
/// </summary>
/// <param name="Requested">The name as given.</param>
/// <param name="Id">The target id used: the family's default configuration, or the name itself.</param>
/// <param name="Reason">Why the family resolves to <paramref name="Id"/> (e.g. "Vela's default configuration"); null
/// when <see cref="Requested"/> is not a family name.</param>
public sealed record TargetResolution(string Requested, string Id, string? Reason)
{
    /// <summary>Whether <see cref="Requested"/> was a family name that resolved to another id.</summary>
    public bool IsAlias => Reason is not null;
}

/// <summary>What a family name given to <c>--target</c> resolves to (<see cref="TargetAliases"/>).</summary>
/// <param name="Name">The family name users give.</param>
/// <param name="DisplayName">The family as Arm writes it.</param>
/// <param name="DefaultId">The configuration the name stands for.</param>
/// <param name="Reason">Where <paramref name="DefaultId"/> comes from, as the stderr line says it.</param>
public sealed record TargetFamilyAlias(string Name, string DisplayName, string DefaultId, string Reason);

/// <summary>
/// Family names users give to <c>--target</c> (<c>ethos-u55</c>) and the catalog configuration each stands for
/// (<c>ethos-u55-256</c>), and the bare family names that are too vague to pick a target (<c>cortex-m</c>).
/// The one place for that rule; every command resolves its <c>--target</c> names through <see cref="Resolve(string, TargetCatalog)"/>.
/// </summary>
/// <remarks>
/// Vela's OPTIONS.md ("Accelerator Configuration") documents one default for <c>--accelerator-config</c>:
/// <c>ethos-u55-256</c>, the widest Ethos-U55. It documents no default per family for the Ethos-U65 or the Ethos-U85.
/// For those two we assume the same rule, the widest configuration of the family (<c>ethos-u65-512</c>,
/// <c>ethos-u85-2048</c>), which is also the configuration behind Arm's headline throughput for each (1 TOP/s for the
/// U65, 4 TOP/s for the U85, at 1 GHz). That choice is ours, not Vela's, and the stderr line says so.
/// </remarks>
public static class TargetAliases
{
    /// <summary>The family names that resolve to one configuration, in the order the README lists them.</summary>
    public static IReadOnlyList<TargetFamilyAlias> Families { get; } =
    [
        new("ethos-u55", "Ethos-U55", "ethos-u55-256", "Vela's default configuration"),
        new("ethos-u65", "Ethos-U65", "ethos-u65-512", "the widest configuration; our assumption, Vela documents no default for the U65"),
        new("ethos-u85", "Ethos-U85", "ethos-u85-2048", "the widest configuration; our assumption, Vela documents no default for the U85"),
    ];

    /// <summary>
    /// Resolves one <c>--target</c> name. A family name gives its default configuration (which must be in
    /// <paramref name="catalog"/>); a bare family of the catalog (<c>cortex-m</c>, <c>ethos-u</c>,
    /// <c>mobile-gpu</c>) is refused with the ids it could mean; any other name is returned unchanged, for the
    /// command to check as it always did (an exact id, or a measured target of a model or a data set).
    /// Family names match ignoring case, as catalog ids do.
    /// </summary>
    /// <exception cref="TargetException">A bare family, or a family whose default configuration is not in the catalog
    /// (the message says which and lists what is).</exception>
    public static TargetResolution Resolve(string name, TargetCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(catalog);
        string key = name.Trim();
        if (catalog.TryGet(key, out _))
        {
            return new TargetResolution(name, name, null);
        }
        TargetFamilyAlias? family = Families.FirstOrDefault(f => string.Equals(f.Name, key, StringComparison.OrdinalIgnoreCase));
        if (family is not null)
        {
            if (!catalog.TryGet(family.DefaultId, out TargetSpec? spec))
            {
                List<string> configurations = catalog.Ids.Where(id => id.StartsWith(family.Name + "-", StringComparison.Ordinal)).ToList();
                string ethosU = string.Join(", ", catalog.Targets.Where(t => t.Family == TargetFamily.EthosU).Select(t => t.Id));
                throw new TargetException(configurations.Count == 0
                    ? $"target '{name}': the {family.DisplayName} family is not in the catalog yet (no {family.Name}-* target); Ethos-U targets: {ethosU}"
                    : $"target '{name}': the {family.DisplayName} family stands for {family.DefaultId} ({family.Reason}), which is not in the catalog; "
                        + $"its configurations in the catalog: {string.Join(", ", configurations)}")
                {
                    ValidIds = catalog.Ids,
                };
            }
            return new TargetResolution(name, spec.Id, family.Reason);
        }
        foreach (TargetFamily kind in Enum.GetValues<TargetFamily>())
        {
            if (string.Equals(TargetSpec.FamilyName(kind), key, StringComparison.OrdinalIgnoreCase))
            {
                List<string> members = catalog.Targets.Where(t => t.Family == kind).Select(t => t.Id).ToList();
                List<string> names = Families.Where(f => FamilyOf(f, catalog) == kind).Select(f => f.Name).ToList();
                string aliases = names.Count == 0 ? "" : $" (or a family name: {string.Join(", ", names)})";
                throw new TargetException($"target '{name}' is a family, not a target: name one of {string.Join(", ", members)}{aliases}")
                {
                    ValidIds = members,
                };
            }
        }
        return new TargetResolution(name, name, null);
    }

    /// <summary>Resolves several names in order (see <see cref="Resolve(string, TargetCatalog)"/>).</summary>
    public static IReadOnlyList<TargetResolution> Resolve(IEnumerable<string> names, TargetCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(names);
        return names.Select(n => Resolve(n, catalog)).ToList();
    }

    /// <summary>The line that tells the user what a family name resolved to, e.g.
    /// <c>target ethos-u55 is ethos-u55-256 (Vela's default configuration)</c>.</summary>
    public static string Describe(TargetResolution resolution)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        return $"target {resolution.Requested} is {resolution.Id} ({resolution.Reason})";
    }

    private static TargetFamily? FamilyOf(TargetFamilyAlias family, TargetCatalog catalog) =>
        catalog.TryGet(family.DefaultId, out TargetSpec? spec) ? spec.Family : null;
}
