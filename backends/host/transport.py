"""Byte transports of the host link: a serial port, or Icarus driving a board top at its UART pins.

A `Transport` moves bytes; it knows nothing of frames. `read(n, timeout_s)` returns at most `n` bytes,
fewer (possibly none) when `timeout_s` passed first.

`SimulatorTransport` compiles a board-level top (ports clk_osc, uart_rx, uart_tx) with a testbench of its
own and runs it interactively: vvp reads commands from one named pipe and answers on another. Written
bytes queue in the testbench, which sends them bit by bit on uart_rx (8N1, CLKS_PER_BIT clocks a bit, no
gaps) while a read runs the simulation; a UART receiver model on uart_tx collects the answer. Simulated
time passes only inside `read`, and its `timeout_s` is *simulated* seconds, so runs are deterministic.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

from sc_neurocore.errors import InputError, ToolError, ToolMissingError
from sc_neurocore.backends.flow.toolrun import run_tool
from sc_neurocore.backends.host.errors import LinkError

__all__ = ["Transport", "SerialTransport", "SimulatorTransport"]


class Transport(Protocol):
    bytes_written: int
    bytes_read: int

    def write(self, data: bytes) -> None: ...

    def read(self, n: int, timeout_s: float) -> bytes: ...

    def close(self) -> None: ...


class SerialTransport:
    """A serial port through pyserial (imported only here, so the rest of the host runs without it)."""

    def __init__(self, port: str, baud: int = 3_000_000) -> None:
        try:
            import serial
        except ImportError as exc:
            raise ToolMissingError("pyserial is not installed; pip install pyserial") from exc
        try:
            # serial_for_url: a device path, or a pyserial URL such as loop:// or socket://host:port
            self._port = serial.serial_for_url(port, baudrate=baud, timeout=0)
        except (serial.SerialException, ValueError, OSError) as exc:
            raise LinkError(f"cannot open serial port {port} at {baud} baud: {exc}") from exc
        self._serial = serial
        self.name = port
        self.bytes_written = self.bytes_read = 0

    def write(self, data: bytes) -> None:
        try:
            self._port.write(data)
            self._port.flush()
        except (self._serial.SerialException, OSError) as exc:
            raise LinkError(f"writing to serial port {self.name} failed: {exc}") from exc
        self.bytes_written += len(data)

    def read(self, n: int, timeout_s: float) -> bytes:
        try:
            self._port.timeout = timeout_s
            data = self._port.read(n)
        except (self._serial.SerialException, OSError) as exc:
            raise LinkError(f"reading from serial port {self.name} failed: {exc}") from exc
        self.bytes_read += len(data)
        return bytes(data)

    def close(self) -> None:
        self._port.close()


_TESTBENCH = "sc_link_tb.sv"
_QUEUE = 65536  # bytes the testbench holds each way (ring buffers)
_OP_STOP, _OP_SEND, _OP_RUN = 0, 1, 2
_LOW_STOP = 0x100  # queued byte flag: send its stop bit low


def _testbench(top: str, clks_per_bit: int, half_period_ns: float, commands: str, answers: str,
               vcd: str | None) -> str:
    dump = f'    initial begin $dumpfile("{vcd}"); $dumpvars(0, sc_link_tb); end\n' if vcd else ""
    return f"""`timescale 1ns/1ps
// Written by backends/host/transport.py: drives {top} at its UART pins on commands from a named pipe.
module sc_link_tb;
    localparam int CPB = {clks_per_bit};
    logic clk = 1'b0;
    logic rx = 1'b1;
    logic tx;
    always #({half_period_ns:.6f}) clk = ~clk;
    {top} dut (.clk_osc(clk), .uart_rx(rx), .uart_tx(tx));
{dump}
    logic [8:0] queue [0:{_QUEUE - 1}];  // bytes to send, bit 8: stop bit low
    logic [7:0] got [0:{_QUEUE - 1}];    // bytes received
    integer queued = 0, sent = 0, received = 0, reported = 0;

    // Sender: each bit is driven for CPB clocks, bytes back to back (nonblocking: no race with the DUT).
    logic [8:0] entry;
    initial forever begin
        if (sent != queued) begin
            entry = queue[sent % {_QUEUE}];
            rx <= 1'b0;
            repeat (CPB) @(posedge clk);
            for (int i = 0; i < 8; i++) begin
                rx <= entry[i];
                repeat (CPB) @(posedge clk);
            end
            rx <= !entry[8];
            repeat (CPB) @(posedge clk);
            sent = sent + 1;
        end else @(posedge clk);
    end

    // Receiver: a start bit seen at a clock edge, then each bit sampled in its middle.
    logic [7:0] shift;
    initial forever begin
        @(posedge clk);
        if (tx === 1'b0) begin
            repeat (CPB / 2) @(posedge clk);
            for (int j = 0; j < 8; j++) begin
                repeat (CPB) @(posedge clk);
                shift[j] = tx;
            end
            repeat (CPB) @(posedge clk);
            if (tx !== 1'b1) $display("warning: low stop bit from the device after byte %0d", received);
            got[received % {_QUEUE}] = shift;
            received = received + 1;
        end
    end

    integer commands, answers, status, op, count, value, want, limit, cycles;
    initial begin
        answers = $fopen("{answers}", "w");
        commands = $fopen("{commands}", "r");
        forever begin
            status = $fscanf(commands, "%d", op);
            if (status != 1 || op == {_OP_STOP}) $finish;
            if (op == {_OP_SEND}) begin
                status = $fscanf(commands, "%d", count);
                for (int k = 0; k < count; k++) begin
                    status = $fscanf(commands, "%d", value);
                    queue[queued % {_QUEUE}] = value[8:0];
                    queued = queued + 1;
                end
            end else begin  // run until `want` more bytes arrived or `limit` clocks passed
                status = $fscanf(commands, "%d %d", want, limit);
                cycles = 0;
                while (received - reported < want && received - reported < {_QUEUE} && cycles < limit) begin
                    @(posedge clk);
                    cycles = cycles + 1;
                end
                $fwrite(answers, "%0d %0d %0d", cycles, queued - sent, received - reported);
                for (int k = reported; k < received; k++) $fwrite(answers, " %0d", got[k % {_QUEUE}]);
                $fwrite(answers, "\\n");
                $fflush(answers);
                reported = received;
            end
        end
    end
endmodule
"""


def _icarus() -> tuple[str, str]:
    iverilog, vvp = shutil.which("iverilog"), shutil.which("vvp")
    if not iverilog or not vvp:
        raise ToolMissingError("Icarus Verilog (iverilog, vvp) not found: install it, e.g. apt-get install iverilog")
    return iverilog, vvp


class SimulatorTransport:
    """Icarus Verilog running `top` (ports clk_osc, uart_rx, uart_tx), driven at the UART pins.

    `sources`: file name -> SystemVerilog text (written into `work_dir`), or paths of existing files.
    The oscillator runs at `clock_hz`; each UART bit lasts `clks_per_bit` clocks. `defines` go to
    iverilog as -D (SIMULATION bypasses the PLL). `vcd`: a waveform file name in `work_dir`, for
    debugging (slow). The first `settle_cycles` clocks run before anything is sent: the power-on reset
    (a host never talks to a board in its first microseconds). Without `work_dir`, a temporary folder is
    used and removed on `close()`. `data_files` (name -> text) are written beside the sources but not
    compiled: the memory images the design's $readmemh loads. `inject_faults` corrupts the wire for the next writes (tests).
    """

    def __init__(self, sources: Mapping[str, str] | Iterable[Path], top: str = "sc_board_top",
                 clks_per_bit: int = 4, clock_hz: float = 12e6, work_dir: Path | None = None,
                 defines: Iterable[str] = ("SIMULATION",), compile_timeout_s: float = 300,
                 vcd: str | None = None, settle_cycles: int = 1000,
                 data_files: Mapping[str, str] | None = None) -> None:
        if not isinstance(clks_per_bit, int) or clks_per_bit < 4:
            raise InputError(f"clks_per_bit must be an integer of at least 4, got {clks_per_bit!r}")
        if not 0 < clock_hz < float("inf"):
            raise InputError(f"clock_hz must be positive, got {clock_hz!r}")
        self.clock_hz, self.clks_per_bit = float(clock_hz), clks_per_bit
        self.bytes_written = self.bytes_read = 0
        self.simulated_cycles = 0
        self.wall_seconds = 0.0  # spent inside read(): the simulator's own time
        self._faults: list[tuple[frozenset, frozenset]] = []
        self._unsent = 0  # bytes queued in the testbench and not yet on the wire (as of the last read)
        self._process = None
        self._own_dir = work_dir is None
        self.work_dir = Path(tempfile.mkdtemp(prefix="sc_link_sim_")) if work_dir is None else Path(work_dir)
        try:
            self.work_dir.mkdir(parents=True, exist_ok=True)
            for name, text in (data_files or {}).items():
                (self.work_dir / name).write_text(text, encoding="utf-8")
            self._start(sources, top, defines, compile_timeout_s, vcd)
            self.idle(settle_cycles / self.clock_hz)
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------------ set-up
    def _start(self, sources, top: str, defines, compile_timeout_s: float, vcd: str | None) -> None:
        iverilog, vvp = _icarus()
        self.work_dir.mkdir(parents=True, exist_ok=True)
        if isinstance(sources, Mapping):
            files = []
            for name, text in sources.items():
                (self.work_dir / name).write_text(text, encoding="utf-8")
                files.append(name)
        else:
            files = [str(Path(path).resolve()) for path in sources]
        commands, answers = self.work_dir / "commands.fifo", self.work_dir / "answers.fifo"
        for pipe in (commands, answers):
            pipe.unlink(missing_ok=True)
            os.mkfifo(pipe)
        half_ns = 1e9 / self.clock_hz / 2
        (self.work_dir / _TESTBENCH).write_text(
            _testbench(top, self.clks_per_bit, half_ns, commands.name, answers.name, vcd), encoding="utf-8")
        run_tool("iverilog", [iverilog, "-g2012", *(f"-D{name}" for name in defines), "-o", "link.vvp",
                              _TESTBENCH, *files], self.work_dir, self.work_dir / "iverilog.log", compile_timeout_s)
        # The answer pipe is opened first, without blocking, so vvp's open for writing never waits.
        self._answers_fd = os.open(answers, os.O_RDONLY | os.O_NONBLOCK)
        self._log = open(self.work_dir / "vvp.log", "wb")
        self._process = subprocess.Popen([vvp, "-n", "link.vvp"], cwd=self.work_dir, stdout=self._log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._commands_fd = self._open_for_writing(commands)
        for fd in (self._answers_fd, self._commands_fd):
            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        self._answers = os.fdopen(self._answers_fd, "r", encoding="ascii")

    def _open_for_writing(self, pipe: Path, wait_s: float = 60.0) -> int:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                return os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:  # ENXIO: vvp has not opened its end yet
                if exc.errno != errno.ENXIO:
                    raise
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise self._died("did not start")
            time.sleep(0.005)

    def _died(self, what: str) -> ToolError:
        log = self.work_dir / "vvp.log"
        tail = log.read_text(errors="replace").strip().splitlines()[-5:] if log.exists() else []
        return ToolError(f"the link simulation (vvp) {what}; log: {log}" + "".join(f"\n  {line}" for line in tail))

    # ------------------------------------------------------------------ Transport
    def inject_faults(self, flip_bits: Iterable[tuple[int, int]] = (), low_stop_bytes: Iterable[int] = (),
                      writes: int = 1) -> None:
        """Corrupt the next `writes` write() calls on the wire: flip bit `bit` of byte `index` for each
        (index, bit) in `flip_bits`, and send a low stop bit after each byte index in `low_stop_bytes`."""
        self._faults += [(frozenset(flip_bits), frozenset(low_stop_bytes))] * writes

    def _command(self, text: str) -> None:
        data = text.encode("ascii")
        try:
            while data:
                data = data[os.write(self._commands_fd, data):]
        except BrokenPipeError as exc:
            raise self._died("stopped") from exc

    def write(self, data: bytes) -> None:
        flips, low_stops = self._faults.pop(0) if self._faults else ((), ())
        values = bytearray(data)
        for index, bit in flips:
            values[index] ^= 1 << bit
        entries = [value | (_LOW_STOP if index in low_stops else 0) for index, value in enumerate(values)]
        if self._unsent + len(entries) > _QUEUE:
            raise InputError(f"the link simulation holds at most {_QUEUE} unsent bytes: read between writes")
        self._unsent += len(entries)
        self._command(f"{_OP_SEND} {len(entries)} " + " ".join(map(str, entries)) + "\n")
        self.bytes_written += len(data)

    def read(self, n: int, timeout_s: float) -> bytes:
        limit = max(1, round(timeout_s * self.clock_hz))
        started = time.perf_counter()
        self._command(f"{_OP_RUN} {n} {limit}\n")
        line = self._answers.readline()
        self.wall_seconds += time.perf_counter() - started
        if not line:
            raise self._died("stopped")
        cycles, self._unsent, count, *values = map(int, line.split())
        self.simulated_cycles += cycles
        self.bytes_read += count
        return bytes(values)

    def idle(self, seconds: float) -> bytes:
        """Let `seconds` of simulated time pass; return what the device sent meanwhile (the run stops
        early once 65,536 bytes have arrived)."""
        return self.read(1 << 30, seconds)

    def close(self) -> None:
        if self._process is not None:
            try:
                self._command(f"{_OP_STOP}\n")
            except (ToolError, OSError):
                pass
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            for closer in (self._answers.close, lambda: os.close(self._commands_fd), self._log.close):
                try:
                    closer()
                except OSError:
                    pass
            self._process = None
        if self._own_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)

    def __enter__(self) -> SimulatorTransport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
