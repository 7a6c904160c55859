using System.CommandLine;
using System.Globalization;
using PerfSage.Targets;

namespace PerfSage.Cli.Commands;

/// <summary>The target-selection options of <c>estimate</c>, and the family-name resolution every command with
/// <c>--target</c> shares (<see cref="RequestedTargets"/>).</summary>
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

    /// <summary>The <c>--board</c> option (added by <see cref="AddBoardTo"/>, not by <see cref="AddTo"/>).</summary>
    public Option<string[]> Boards { get; } = BoardOption();

    /// <summary>A <c>--board ID</c> option (repeatable): a board preset of <c>data/boards</c>.</summary>
    public static Option<string[]> BoardOption() => new("--board")
    {
        Description = "Board preset (repeat for several; see 'perfsage targets --boards'): its core or NPU at the board's clock, flash and power model. Replaces --target.",
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>Adds <see cref="Boards"/> to <paramref name="command"/>.</summary>
    public void AddBoardTo(Command command) => command.Options.Add(Boards);

    /// <summary>The boards named by <paramref name="names"/>, in order, each once. A name must follow the target-name
    /// rule (<see cref="TargetName"/>); an unknown one is refused listing the boards.</summary>
    /// <exception cref="UserInputException">A name that breaks the rule.</exception>
    /// <exception cref="TargetException">A board that is not in the catalog.</exception>
    public static IReadOnlyList<Board> ResolveBoards(IEnumerable<string> names)
    {
        var boards = new List<Board>();
        BoardCatalog catalog = BoardCatalog.LoadDefault();
        foreach (string name in names)
        {
            if (!TargetName.IsValid(name))
            {
                throw new UserInputException($"board '{Limits.Echo(name)}' is not a valid board name ({TargetName.Rule})");
            }
            Board board = catalog.Get(name);
            if (!boards.Contains(board))
            {
                boards.Add(board);
            }
        }
        return boards;
    }

    /// <summary>The boards of <see cref="Boards"/>, or empty when none was given; refuses <c>--board</c> together with
    /// <c>--target</c> or <c>--all-targets</c>.</summary>
    public IReadOnlyList<Board> ResolveBoards(ParseResult parse)
    {
        string[] names = parse.GetValue(Boards) ?? [];
        if (names.Length == 0)
        {
            return [];
        }
        if ((parse.GetValue(Targets) ?? []).Length > 0 || parse.GetValue(AllTargets))
        {
            throw new UserInputException("give either --board or --target/--all-targets, not both (a board names its target)");
        }
        return ResolveBoards(names);
    }

    /// <summary>
    /// Lowest <c>--clock-mhz</c> accepted. The catalog's slowest core is the Cortex-M0+ at 64 MHz
    /// (data/targets/cortex-m0plus.json); microcontrollers still run at 1 MHz in low-power modes, and below that the
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
            $"Override the target's clock (MHz, {MinClockMhz:0} to {MaxClockMhz:0}: the catalog's clocks are 64 to 1000 MHz)."),
    };

    /// <summary>The <c>--clock-mhz</c> value, or null when not given.</summary>
    /// <exception cref="UserInputException">Not a number between <see cref="MinClockMhz"/> and <see cref="MaxClockMhz"/>.</exception>
    public static double? ClockMhz(ParseResult parse, Option<double?> option)
    {
        double? value = parse.GetValue(option);
        if (value is { } mhz && !(mhz >= MinClockMhz && mhz <= MaxClockMhz))
        {
            throw new UserInputException(string.Create(CultureInfo.InvariantCulture,
                $"--clock-mhz {mhz}: must be a number from {MinClockMhz:0} to {MaxClockMhz:0} MHz (the catalog's cores run at 64 to 1000 MHz)"));
        }
        return value;
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Targets);
        command.Options.Add(AllTargets);
    }

    /// <summary>The chosen targets, in the order given (or catalog order for --all-targets); a family name gives its
    /// configuration (<see cref="TargetAliases"/>) with a line on <paramref name="stderr"/>, and <see cref="Requested"/>
    /// records what was asked.</summary>
    public IReadOnlyList<TargetSpec> Resolve(ParseResult parse, TargetCatalog catalog, TextWriter stderr)
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
        Requested = RequestedTargets.Resolve(ids, catalog, stderr);
        var specs = new List<TargetSpec>();
        foreach (string id in Requested.Ids.Distinct(StringComparer.Ordinal))
        {
            specs.Add(catalog.Get(id));
        }
        return specs;
    }

    /// <summary>
    /// The <c>--target</c> names after family names are resolved (<see cref="TargetAliases"/>), from the last call to
    /// <see cref="Resolve"/>; empty before it or with <c>--all-targets</c>.
    /// </summary>
    public RequestedTargets Requested { get; private set; } = RequestedTargets.None;
}

/// <summary>
/// The <c>--target</c> names of one command after <see cref="TargetAliases.Resolve(string, TargetCatalog)"/>: the ids to
/// use, in the order given, and what was asked for each (for the <c>requested</c> field of JSON and CSV output).
/// </summary>
internal sealed class RequestedTargets
{
    private readonly IReadOnlyList<TargetResolution> _items;

    private RequestedTargets(IReadOnlyList<TargetResolution> items)
    {
        _items = items;
        Ids = items.Select(r => r.Id).ToArray();
    }

    /// <summary>No names (nothing resolved, or <c>--all-targets</c>).</summary>
    public static RequestedTargets None { get; } = new([]);

    /// <summary>The ids to use, one per name given, in order (a family name replaced by its configuration).</summary>
    public string[] Ids { get; }

    /// <summary>Whether any name was a family name: only then do JSON and CSV output carry <c>requested</c>, so the
    /// output for exact ids stays as it was.</summary>
    public bool AnyFamily => _items.Any(r => r.IsAlias);

    /// <summary>
    /// Resolves <paramref name="names"/> and writes one line on <paramref name="stderr"/> per family name resolved
    /// (<c>perfsage: target ethos-u55 is ethos-u55-256 (Vela's default configuration)</c>), once even if given twice.
    /// </summary>
    /// <exception cref="TargetException">A bare family (<c>cortex-m</c>) or a family not in the catalog.</exception>
    public static RequestedTargets Resolve(IEnumerable<string> names, TargetCatalog catalog, TextWriter stderr)
    {
        var result = new RequestedTargets(TargetAliases.Resolve(names, catalog));
        result.WriteNotes(stderr);
        return result;
    }

    /// <summary>Writes the resolution lines <see cref="Resolve"/> writes, for a command that resolved with
    /// <see cref="TextWriter.Null"/> and says them only once the targets passed its own checks.</summary>
    public void WriteNotes(TextWriter stderr)
    {
        var said = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (TargetResolution r in _items.Where(r => r.IsAlias))
        {
            if (said.Add(r.Requested))
            {
                stderr.WriteLine("perfsage: " + TargetAliases.Describe(r));
            }
        }
    }

    /// <summary>What was asked for target <paramref name="id"/>: the first name that resolved to it (ignoring case, as
    /// ids match), or <paramref name="id"/> itself.</summary>
    public string RequestedFor(string id) =>
        _items.FirstOrDefault(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase))?.Requested ?? id;
}
