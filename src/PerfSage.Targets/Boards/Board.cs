using System.Globalization;

namespace PerfSage.Targets;

/// <summary>
/// A board preset, read from <c>data/boards/&lt;id&gt;.json</c>: the MCU or SoC part, the catalog target that runs the
/// model (its core, or its NPU), the board's default clock, its memories and flash wait states, and a power model.
/// Immutable. <see cref="BoardEstimator"/> turns a target estimate into the board's: latency from the target's cycles
/// at the board's clock with the board's flash stream, energy from <see cref="PowerMw"/>.
/// </summary>
public sealed class Board
{
    internal Board(SpecReader root)
    {
        Id = root.String("id");
        Name = root.String("name");
        Part = root.String("part");
        Core = root.String("core");
        TargetId = root.String("target");
        Description = root.OptionalString("description") ?? "";
        ClockMhz = root.Number("clock_mhz", min: 1e-3);
        SpecReader memory = root.Object("memory");
        SramKb = memory.Number("sram_kb", min: 1e-3);
        FlashKb = memory.Number("flash_kb", min: 1e-3);
        FlashWaitStates = memory.OptionalNumber("flash_wait_states");
        FlashLineBytes = memory.OptionalNumber("flash_line_bytes", min: 1);
        if ((FlashWaitStates is null) != (FlashLineBytes is null))
        {
            throw memory.Error("flash_wait_states", "and flash_line_bytes must be given together");
        }
        SpecReader power = root.Object("power");
        SupplyV = power.Number("supply_v", min: 0.1);
        RunCurrentUaPerMhz = power.Number("run_current_ua_per_mhz");
        StaticCurrentMa = power.Number("static_current_ma");
        PowerFactor = power.Number("calibration_factor", min: 1e-3);
        MlperfRows = root.OptionalString("mlperf_tiny_rows") ?? "";
        FilePath = root.File;
        Numbers = root.Numbers;
        if (SupplyV.Value * (StaticCurrentMa.Value + RunCurrentUaPerMhz.Value * ClockMhz.Value / 1000) <= 0)
        {
            throw power.Error("run_current_ua_per_mhz", "and static_current_ma give no power at the board's clock");
        }
    }

    /// <summary>The id used with <c>--board</c> (<c>nucleo-l4r5zi</c>).</summary>
    public string Id { get; }

    /// <summary>A human name (<c>ST NUCLEO-L4R5ZI</c>).</summary>
    public string Name { get; }

    /// <summary>The MCU or SoC part (<c>STM32L4R5ZIT6</c>).</summary>
    public string Part { get; }

    /// <summary>The core(s), in words (<c>Cortex-M4F</c>, <c>Cortex-M55 + Ethos-U55-256</c>).</summary>
    public string Core { get; }

    /// <summary>The catalog target that runs the model (<c>cortex-m4</c>, <c>ethos-u55-256</c>).</summary>
    public string TargetId { get; }

    public string Description { get; }

    /// <summary>The board's default clock of <see cref="TargetId"/> (the NPU clock for Ethos-U boards).</summary>
    public SourcedValue ClockMhz { get; }

    /// <summary>On-chip SRAM of the part.</summary>
    public SourcedValue SramKb { get; }

    /// <summary>On-chip (or board) flash the model is stored in.</summary>
    public SourcedValue FlashKb { get; }

    /// <summary>Flash wait states at <see cref="ClockMhz"/>, or null where the target models its memory itself
    /// (Ethos-U boards: Vela's system configuration).</summary>
    public SourcedValue? FlashWaitStates { get; }

    /// <summary>Bytes of one flash line (read per access), with <see cref="FlashWaitStates"/>.</summary>
    public SourcedValue? FlashLineBytes { get; }

    /// <summary>Supply voltage of the power model.</summary>
    public SourcedValue SupplyV { get; }

    /// <summary>Run-mode current per MHz of core clock (data sheet, code running from flash).</summary>
    public SourcedValue RunCurrentUaPerMhz { get; }

    /// <summary>Clock-independent run-mode current (regulators, oscillators), mA.</summary>
    public SourcedValue StaticCurrentMa { get; }

    /// <summary>Measured board power over data-sheet power: fitted on the board's own MLPerf Tiny rows where it has
    /// some, else the median of the fitted rows (docs/BOARDS.md).</summary>
    public SourcedValue PowerFactor { get; }

    /// <summary>The MLPerf Tiny rows (TARGETS.md §4) this board's numbers were fitted on, or empty.</summary>
    public string MlperfRows { get; }

    /// <summary>The file the board was read from.</summary>
    public string FilePath { get; }

    /// <summary>Every number of the file by JSON path, each with its source or assumption.</summary>
    public IReadOnlyDictionary<string, SourcedValue> Numbers { get; }

    /// <summary>The catalog target, set when the board catalog is checked against the target catalog
    /// (<see cref="BoardCatalog.Load"/>); null for a board read alone with <see cref="BoardCatalog.ReadFile"/>.</summary>
    public TargetSpec Target { get; internal set; } = null!;

    /// <summary>Flash bytes the core can stream per cycle: one line per (wait states + 1) cycles; null when the board
    /// gives no wait states.</summary>
    public double? FlashBytesPerCycle => FlashWaitStates is null || FlashLineBytes is null
        ? null
        : FlashLineBytes.Value / (FlashWaitStates.Value + 1);

    /// <summary>Board power while inferring at <paramref name="clockMhz"/>:
    /// <c>V × (I_static + I_run/MHz × f) × calibration factor</c>, in mW.</summary>
    public double PowerMw(double clockMhz) =>
        SupplyV.Value * (StaticCurrentMa.Value + RunCurrentUaPerMhz.Value * clockMhz / 1000.0) * PowerFactor.Value;

    /// <summary>The key numbers as (key, value) lines, for <c>perfsage targets --boards</c>.</summary>
    public IReadOnlyList<(string Key, string Value)> Summary
    {
        get
        {
            var lines = new List<(string, string)>
            {
                ("part", Part),
                ("core", Core),
                ("target", TargetId),
                ("clock", Show(ClockMhz)),
                ("sram", Show(SramKb)),
                ("flash", Show(FlashKb)),
            };
            if (FlashWaitStates is not null && FlashLineBytes is not null)
            {
                lines.Add(("flash wait states", Show(FlashWaitStates) + ", " + Show(FlashLineBytes) + " line"));
            }
            lines.Add(("power", string.Create(CultureInfo.InvariantCulture,
                $"{PowerMw(ClockMhz.Value):0.#} mW at {ClockMhz.Value:0.###} MHz ({SupplyV.Value:0.##} V x ({StaticCurrentMa.Value:0.###} mA + {RunCurrentUaPerMhz.Value:0.###} uA/MHz) x {PowerFactor.Value:0.###})")));
            lines.Add(("calibration", MlperfRows.Length > 0 ? "fitted on " + MlperfRows : "data sheet only (no MLPerf Tiny row in TARGETS.md)"));
            return lines;
        }
    }

    public override string ToString() => $"{Id} ({Name})";

    private static string Show(SourcedValue value) => value.IsAssumption ? value.Display + " (assumed)" : value.Display;
}
