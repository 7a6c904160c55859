using System.CommandLine;
using System.Globalization;
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

    /// <summary>
    /// Lowest <c>--clock-mhz</c> accepted. The catalog's slowest core is the Cortex-M4 at 120 MHz
    /// (data/targets/cortex-m4.json); microcontrollers still run at 1 MHz in low-power modes, and below that the
    /// cycle counts turn into latencies of hours with energies that underflow.
    /// </summary>
    public const double MinClockMhz = 1;

    /// <summary>
    /// Highest <c>--clock-mhz</c> accepted. The catalog's fastest clock is the Ethos-U65 at 1000 MHz
    /// (data/targets/ethos-u65-*.json) and no phone or embedded core runs above about 4 GHz; 10 GHz leaves room
    /// for what-if runs while keeping latency and energy far from 0 and from overflow.
    /// </summary>
    public const double MaxClockMhz = 10_000;

    /// <summary>The <c>--clock-mhz</c> option (its range is in the description).</summary>
    public static Option<double?> ClockOption() => new("--clock-mhz")
    {
        Description = string.Create(CultureInfo.InvariantCulture,
            $"Override the target's clock (MHz, {MinClockMhz:0} to {MaxClockMhz:0}: the catalog's clocks are 120 to 1000 MHz)."),
    };

    /// <summary>The <c>--clock-mhz</c> value, or null when not given.</summary>
    /// <exception cref="UserInputException">Not a number between <see cref="MinClockMhz"/> and <see cref="MaxClockMhz"/>.</exception>
    public static double? ClockMhz(ParseResult parse, Option<double?> option)
    {
        double? value = parse.GetValue(option);
        if (value is { } mhz && !(mhz >= MinClockMhz && mhz <= MaxClockMhz))
        {
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"--clock-mhz {mhz}: must be a number from {MinClockMhz:0} to {MaxClockMhz:0} MHz (the catalog's cores run at 120 to 1000 MHz)"));
        }
        return value;
    }

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
