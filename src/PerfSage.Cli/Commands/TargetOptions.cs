using System.CommandLine;
using PerfSage.Targets;

namespace PerfSage.Cli.Commands;

/// <summary>The target-selection options shared by <c>estimate</c>, <c>predict</c> and <c>score</c>.</summary>
internal sealed class TargetOptions
{
    public Option<string[]> Targets { get; } = new("--target", "-t")
    {
        Description = "Target id (repeat for several; see 'perfsage targets').",
        AllowMultipleArgumentsPerToken = true,
    };

    public Option<bool> AllTargets { get; } = new("--all-targets")
    {
        Description = "Use every target of the catalog.",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Targets);
        command.Options.Add(AllTargets);
    }

    /// <summary>The chosen targets, in the order given (or catalog order for --all-targets).</summary>
    public IReadOnlyList<TargetSpec> Resolve(ParseResult parse, TargetCatalog catalog)
    {
        string[] ids = parse.GetValue(Targets) ?? [];
        bool all = parse.GetValue(AllTargets);
        if (all && ids.Length > 0)
        {
            throw new UserInputException("give either --target or --all-targets, not both");
        }
        if (all)
        {
            return catalog.Targets;
        }
        if (ids.Length == 0)
        {
            throw new UserInputException("no target: give --target ID (one or more) or --all-targets; valid ids: " + string.Join(", ", catalog.Ids));
        }
        var specs = new List<TargetSpec>();
        foreach (string id in ids.Distinct(StringComparer.Ordinal))
        {
            specs.Add(catalog.Get(id));
        }
        return specs;
    }
}
