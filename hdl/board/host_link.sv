// The board's host link (docs/host_link.md §2, §3): UART frames from the host in, the core's host stream
// port out, the core's output words back to the host in DATA frames. One clock domain.
//
// Receive: a frame parser (sync 0xA5; bytes before it are skipped) writes the payload into a buffer of
// MAX_PAYLOAD bytes (one EBR at 256); only once the CRC checks does it read the buffer back, assemble
// ceil(IN_BITS/8)-byte little-endian words and push them into the stream, then answer ACK. A bad frame is
// dropped whole: the parser waits until the line has been quiet for DRAIN_BITS bit times (so the rest of
// a frame whose LEN was corrupted is not taken for a new frame) and then answers NAK.
// Transmit: one frame at a time; a pending answer (IDENTIFY, ACK, STATUS, NAK) goes before DATA, and DATA
// carries the words waiting in the output FIFO (256 words: one EBR up to 16 bits, two up to 32) at the
// start of the frame.
// Stop and wait: bytes that arrive while a frame executes (words being pushed, an answer waiting for the
// transmitter) are dropped; the host sends the next frame only after the answer to the last.
//
// TIMEOUT_BITS (65,536 by the protocol) is a parameter only so that tests can shorten it. The parameters
// have defaults only because Icarus 11 does not parse a parameter without one.
module host_link #(parameter int IN_BITS = 8, OUT_BITS = 8, CLKS_PER_BIT = 4, MAX_PAYLOAD = 256,
                   parameter logic [127:0] BUILD_ID = '0, parameter int TIMEOUT_BITS = 65536) (
    input  logic clk, rst, uart_rx,
    output logic uart_tx,
    output logic in_valid, input logic in_ready, output logic [IN_BITS-1:0] in_data,
    input  logic out_valid, output logic out_ready, input logic [OUT_BITS-1:0] out_data,
    input  logic [15:0] status,
    output logic core_rst  // RESET: the stream port and its core start afresh (not the link)
);
    logic [3:0] core_rst_count = 4'd0;  // RESET holds core_rst for 15 clocks
    assign core_rst = core_rst_count != 0;
    localparam int IN_BYTES = (IN_BITS + 7) / 8;
    localparam int OUT_BYTES = (OUT_BITS + 7) / 8;
    localparam int LW = $clog2(MAX_PAYLOAD + 1);      // payload lengths and offsets
    localparam int AW = LW > 8 ? LW : 8;              // answer argument: a word count or a NAK code
    localparam int OUT_DEPTH = 256;                   // output FIFO words: one or two EBRs
    localparam int FW = $clog2(OUT_DEPTH);
    localparam int FRAME_WORDS = MAX_PAYLOAD / OUT_BYTES < OUT_DEPTH ? MAX_PAYLOAD / OUT_BYTES : OUT_DEPTH;
    localparam int DRAIN_BITS = TIMEOUT_BITS < 1024 ? TIMEOUT_BITS : 1024;
    localparam int IDLE_W = $clog2(TIMEOUT_BITS + 1);
    localparam int TICK_W = $clog2(CLKS_PER_BIT + 1);

    localparam logic [7:0] SYNC_HOST = 8'hA5, SYNC_DEVICE = 8'h5A;
    localparam logic [7:0] CMD_IDENTIFY = 8'h01, CMD_LOAD = 8'h02, CMD_RUN = 8'h03, CMD_STATUS = 8'h04,
        CMD_RESET = 8'h05;
    localparam logic [7:0] ANS_IDENTIFY = 8'h81, ANS_ACK = 8'h82, ANS_DATA = 8'h83, ANS_STATUS = 8'h84;
    localparam logic [7:0] ANS_NAK = 8'hEE;
    localparam logic [7:0] NAK_CRC = 8'd1, NAK_FRAMING = 8'd2, NAK_LENGTH = 8'd3, NAK_COMMAND = 8'd4;
    localparam logic [7:0] NAK_TIMEOUT = 8'd5;
    localparam logic [7:0] PROTOCOL_VERSION = 8'd1;
    localparam int IDENTIFY_LEN = 25;  // "SCNC", version, IN_BITS, OUT_BITS, MAX_PAYLOAD (2), build id (16)

    // ---------------------------------------------------------------- receive
    logic rx_valid, rx_error, rx_byte;
    logic [7:0] rx_data;
    assign rx_byte = rx_valid && !rx_error;  // a byte with a low stop bit never counts as frame content
    uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_rx (
        .clk(clk), .rst(rst), .rx(uart_rx), .valid(rx_valid), .data(rx_data), .frame_error(rx_error));

    // Parser states (plain constants: Icarus 11 mishandles enum-typed state registers).
    localparam logic [3:0] P_SYNC = 4'd0, P_CMD = 4'd1, P_LEN_LO = 4'd2, P_LEN_HI = 4'd3, P_PAYLOAD = 4'd4,
        P_CRC_LO = 4'd5, P_CRC_HI = 4'd6, P_READ = 4'd7, P_LATCH = 4'd8, P_PUSH = 4'd9, P_DRAIN = 4'd10,
        P_ANSWER = 4'd11;
    logic [3:0] pstate;
    logic [7:0] cmd, len_lo, crc_lo, nak_code;
    logic [LW-1:0] remaining;   // payload bytes still to come
    logic [LW-1:0] write_addr;  // payload bytes received (= LEN once the frame is whole)
    logic [LW-1:0] read_addr;   // payload bytes pushed into words
    logic [LW-1:0] words;       // words pushed into the stream
    logic [$clog2(IN_BYTES + 1)-1:0] phase;  // byte within the current word
    logic [IDLE_W-1:0] idle_bits;             // bit times since the last received byte
    logic [TICK_W-1:0] tick_count;
    logic bit_tick;
    logic [7:0] crc_errors, framing_errors;
    logic [15:0] crc_rx;
    logic in_frame;

    // A pending answer for the transmitter; it stays pending (and its fields stable) until sent.
    logic answer_pending;
    logic [7:0] answer_code, next_code;
    logic [AW-1:0] answer_arg, next_arg;

    // P_CMD .. P_CRC_HI: between a sync byte and the frame's last CRC byte
    assign in_frame = pstate >= P_CMD && pstate <= P_CRC_HI;

    crc16_ccitt u_crc_rx (
        .clk(clk), .clear(pstate == P_SYNC), .data(rx_data), .crc(crc_rx),
        .enable(rx_byte && pstate >= P_CMD && pstate <= P_PAYLOAD));

    // Receive buffer: written by the parser, read back one byte per clock (registered read: an EBR).
    logic [7:0] buffer [MAX_PAYLOAD];
    logic [7:0] buffer_q;
    always_ff @(posedge clk) begin
        if (pstate == P_PAYLOAD && rx_byte) buffer[write_addr] <= rx_data;
        buffer_q <= buffer[read_addr];
    end

    logic [IN_BYTES*8-1:0] word;  // assembled little endian: the first byte ends in bits 7..0
    assign in_valid = pstate == P_PUSH;
    assign in_data = word[IN_BITS-1:0];

    always_ff @(posedge clk) begin
        bit_tick <= 1'b0;
        if (tick_count == 0) begin
            tick_count <= TICK_W'(CLKS_PER_BIT - 1);
            bit_tick <= 1'b1;
        end else tick_count <= tick_count - 1'b1;
        if (rx_valid) idle_bits <= 0;
        else if (bit_tick && idle_bits != IDLE_W'(TIMEOUT_BITS)) idle_bits <= idle_bits + 1'b1;
        if (rx_valid && rx_error && framing_errors != 8'hFF) framing_errors <= framing_errors + 1'b1;

        case (pstate)
            P_SYNC: if (rx_byte && rx_data == SYNC_HOST) pstate <= P_CMD;
            P_CMD: if (rx_byte) begin
                cmd <= rx_data;
                pstate <= P_LEN_LO;
            end
            P_LEN_LO: if (rx_byte) begin
                len_lo <= rx_data;
                pstate <= P_LEN_HI;
            end
            P_LEN_HI: if (rx_byte) begin
                remaining <= LW'({rx_data, len_lo});
                write_addr <= 0;
                phase <= 0;
                if ({rx_data, len_lo} > 16'(MAX_PAYLOAD)) begin
                    nak_code <= NAK_LENGTH;
                    pstate <= P_DRAIN;
                end else pstate <= {rx_data, len_lo} == 16'd0 ? P_CRC_LO : P_PAYLOAD;
            end
            P_PAYLOAD: if (rx_byte) begin
                write_addr <= write_addr + 1'b1;
                remaining <= remaining - 1'b1;
                phase <= phase == IN_BYTES - 1 ? 0 : phase + 1'b1;
                if (remaining == LW'(1)) pstate <= P_CRC_LO;
            end
            P_CRC_LO: if (rx_byte) begin
                crc_lo <= rx_data;
                pstate <= P_CRC_HI;
            end
            P_CRC_HI: if (rx_byte) begin
                words <= 0;
                read_addr <= 0;
                if ({rx_data, crc_lo} != crc_rx) begin
                    if (crc_errors != 8'hFF) crc_errors <= crc_errors + 1'b1;
                    nak_code <= NAK_CRC;
                    pstate <= P_DRAIN;
                end else if (cmd == CMD_IDENTIFY || cmd == CMD_STATUS) begin
                    next_code <= cmd == CMD_IDENTIFY ? ANS_IDENTIFY : ANS_STATUS;
                    pstate <= P_ANSWER;
                end else if (cmd == CMD_RESET) begin
                    // The core's state (membranes, FIFOs, the load-word count) back to power-on: an
                    // inference that must not see the previous one's state starts with RESET.
                    core_rst_count <= 4'd15;
                    next_code <= ANS_ACK;
                    next_arg <= 0;
                    pstate <= P_ANSWER;
                end else if (cmd == CMD_LOAD || cmd == CMD_RUN) begin
                    // LOAD and RUN differ only for the host: load words come first in the stream.
                    if (phase != 0) begin  // not whole words
                        nak_code <= NAK_LENGTH;
                        pstate <= P_DRAIN;
                    end else if (write_addr == 0) begin
                        next_code <= ANS_ACK;
                        next_arg <= 0;
                        pstate <= P_ANSWER;
                    end else pstate <= P_READ;
                end else begin
                    nak_code <= NAK_COMMAND;
                    pstate <= P_DRAIN;
                end
            end
            P_READ: begin  // buffer_q shows buffer[read_addr] on the next clock
                read_addr <= read_addr + 1'b1;
                pstate <= P_LATCH;
            end
            P_LATCH: begin
                word <= (IN_BYTES*8)'({buffer_q, word} >> 8);
                phase <= phase == IN_BYTES - 1 ? 0 : phase + 1'b1;
                pstate <= phase == IN_BYTES - 1 ? P_PUSH : P_READ;
            end
            P_PUSH: if (in_ready) begin
                words <= words + 1'b1;
                if (read_addr == write_addr) begin
                    next_code <= ANS_ACK;
                    next_arg <= AW'(words + 1'b1);
                    pstate <= P_ANSWER;
                end else pstate <= P_READ;
            end
            P_DRAIN: if (idle_bits >= IDLE_W'(DRAIN_BITS)) begin
                next_code <= ANS_NAK;
                next_arg <= AW'(nak_code);
                pstate <= P_ANSWER;
            end
            P_ANSWER: if (!answer_pending) pstate <= P_SYNC;
            default: pstate <= P_SYNC;
        endcase

        // A frame that stops halfway, or a byte with a low stop bit inside a frame: drop the frame.
        if (in_frame && !rx_valid && idle_bits == IDLE_W'(TIMEOUT_BITS)) begin
            next_code <= ANS_NAK;
            next_arg <= AW'(NAK_TIMEOUT);
            pstate <= P_ANSWER;
        end else if (in_frame && rx_valid && rx_error) begin
            nak_code <= NAK_FRAMING;
            pstate <= P_DRAIN;
        end
        if (pstate != P_DRAIN && !in_frame && !rx_valid) idle_bits <= 0;

        if (core_rst_count != 0) core_rst_count <= core_rst_count - 1'b1;
        if (rst) begin
            core_rst_count <= 4'd0;
            pstate <= P_SYNC;
            tick_count <= 0;
            idle_bits <= 0;
            crc_errors <= 8'd0;
            framing_errors <= 8'd0;
        end
    end

    // ---------------------------------------------------------------- output FIFO
    logic [OUT_BITS-1:0] fifo [OUT_DEPTH];
    logic [OUT_BITS-1:0] fifo_q;
    logic [FW-1:0] fifo_wr, fifo_rd;
    logic [FW:0] fifo_count;
    logic fifo_push, fifo_pop;
    assign out_ready = fifo_count != (FW+1)'(OUT_DEPTH);
    assign fifo_push = out_valid && out_ready;
    always_ff @(posedge clk) begin
        if (fifo_push) fifo[fifo_wr] <= out_data;
        fifo_q <= fifo[fifo_rd];  // registered read: valid the clock after fifo_rd moved
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            fifo_wr <= 0;
            fifo_rd <= 0;
            fifo_count <= 0;
        end else begin
            if (fifo_push) fifo_wr <= fifo_wr + 1'b1;
            if (fifo_pop) fifo_rd <= fifo_rd + 1'b1;
            fifo_count <= fifo_count + fifo_push - fifo_pop;
        end
    end

    // ---------------------------------------------------------------- transmit
    // tstate walks each byte: T_NEXT (pop the FIFO when a DATA word starts), T_FETCH (its word arrives),
    // T_SEND (wait for the UART); t_field says which byte of the frame goes next.
    localparam logic [1:0] T_IDLE = 2'd0, T_NEXT = 2'd1, T_FETCH = 2'd2, T_SEND = 2'd3;
    localparam logic [2:0] F_SYNC = 3'd0, F_CODE = 3'd1, F_LEN_LO = 3'd2, F_LEN_HI = 3'd3, F_PAYLOAD = 3'd4,
        F_CRC_LO = 3'd5, F_CRC_HI = 3'd6;
    logic [1:0] tstate;
    logic [2:0] t_field;
    logic [7:0] t_code, t_byte;
    logic [LW-1:0] t_len, t_left;  // payload length, payload bytes left
    logic [4:0] t_pos;             // payload byte index (IDENTIFY, ACK, STATUS)
    logic t_answer, tx_busy, tx_start;
    logic [OUT_BYTES*8-1:0] t_word;
    logic [$clog2(OUT_BYTES + 1)-1:0] t_word_byte;
    logic [15:0] crc_tx;
    logic [FW:0] frame_words;

    // IDENTIFY's payload, byte p in bits 8p+7..8p: constants only, so a small ROM in LUTs.
    logic [IDENTIFY_LEN*8-1:0] identify_payload;
    assign identify_payload[71:0] = {8'(MAX_PAYLOAD >> 8), 8'(MAX_PAYLOAD), 8'(OUT_BITS), 8'(IN_BITS),
                                     PROTOCOL_VERSION, "CNCS"};
    for (genvar i = 0; i < 16; i++) begin : g_build_id  // the id's first byte is its top byte
        assign identify_payload[72 + 8*i +: 8] = BUILD_ID[127 - 8*i -: 8];
    end

    // min(words waiting, FRAME_WORDS) x OUT_BYTES, as shifts and adds (OUT_BYTES is a constant).
    function automatic logic [LW-1:0] data_length(input logic [FW:0] count);
        logic [LW+FW:0] total;
        integer b;
        total = 0;
        for (b = 0; b < 8; b = b + 1)
            if ((OUT_BYTES >> b) & 1) total = total + ((LW+FW+1)'(count) << b);
        data_length = LW'(total);
    endfunction

    assign frame_words = fifo_count > (FW+1)'(FRAME_WORDS) ? (FW+1)'(FRAME_WORDS) : fifo_count;
    assign tx_start = tstate == T_SEND && !tx_busy;
    assign fifo_pop = tstate == T_NEXT && t_field == F_PAYLOAD && t_code == ANS_DATA && t_word_byte == 0;

    always_comb begin
        case (t_field)
            F_SYNC: t_byte = SYNC_DEVICE;
            F_CODE: t_byte = t_code;
            F_LEN_LO: t_byte = 8'(t_len);
            F_LEN_HI: t_byte = 8'(16'(t_len) >> 8);
            F_PAYLOAD: case (t_code)
                ANS_IDENTIFY: t_byte = identify_payload[8*t_pos +: 8];
                ANS_ACK: t_byte = t_pos[0] ? 8'(16'(answer_arg) >> 8) : 8'(answer_arg);
                ANS_STATUS: case (t_pos[1:0])
                    2'd0: t_byte = status[7:0];
                    2'd1: t_byte = status[15:8];
                    2'd2: t_byte = crc_errors;
                    default: t_byte = framing_errors;
                endcase
                ANS_DATA: t_byte = t_word[7:0];
                default: t_byte = 8'(answer_arg);  // NAK: its code
            endcase
            F_CRC_LO: t_byte = crc_tx[7:0];
            default: t_byte = crc_tx[15:8];
        endcase
    end

    crc16_ccitt u_crc_tx (
        .clk(clk), .clear(tstate == T_IDLE), .enable(tx_start && t_field >= F_CODE && t_field <= F_PAYLOAD),
        .data(t_byte), .crc(crc_tx));

    uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_tx (
        .clk(clk), .rst(rst), .start(tx_start), .data(t_byte), .busy(tx_busy), .tx(uart_tx));

    always_ff @(posedge clk) begin
        case (tstate)
            T_IDLE: begin
                t_field <= F_SYNC;
                t_pos <= 5'd0;
                t_word_byte <= 0;
                if (answer_pending) begin
                    t_answer <= 1'b1;
                    t_code <= answer_code;
                    case (answer_code)
                        ANS_IDENTIFY: t_len <= LW'(IDENTIFY_LEN);
                        ANS_ACK: t_len <= LW'(2);
                        ANS_STATUS: t_len <= LW'(4);
                        default: t_len <= LW'(1);
                    endcase
                    tstate <= T_NEXT;
                end else if (fifo_count != 0) begin
                    t_answer <= 1'b0;
                    t_code <= ANS_DATA;
                    t_len <= data_length(frame_words);
                    tstate <= T_NEXT;
                end
            end
            T_NEXT: tstate <= fifo_pop ? T_FETCH : T_SEND;
            T_FETCH: begin
                t_word <= (OUT_BYTES*8)'(fifo_q);
                tstate <= T_SEND;
            end
            T_SEND: if (tx_start) begin
                tstate <= t_field == F_CRC_HI ? T_IDLE : T_NEXT;
                case (t_field)
                    F_LEN_HI: begin
                        t_left <= t_len;
                        t_field <= t_len == 0 ? F_CRC_LO : F_PAYLOAD;
                    end
                    F_PAYLOAD: begin
                        t_left <= t_left - 1'b1;
                        t_pos <= t_pos + 1'b1;
                        t_word <= t_word >> 8;
                        t_word_byte <= t_word_byte == OUT_BYTES - 1 ? 0 : t_word_byte + 1'b1;
                        if (t_left == LW'(1)) t_field <= F_CRC_LO;
                    end
                    default: t_field <= t_field + 1'b1;
                endcase
            end
            default: tstate <= T_IDLE;
        endcase
        if (rst) tstate <= T_IDLE;
    end

    // The answer slot: filled by the parser (P_ANSWER), emptied once its frame has been sent.
    always_ff @(posedge clk) begin
        if (rst) answer_pending <= 1'b0;
        else if (pstate == P_ANSWER && !answer_pending) begin
            answer_pending <= 1'b1;
            answer_code <= next_code;
            answer_arg <= next_arg;
        end else if (tx_start && t_answer && t_field == F_CRC_HI)
            answer_pending <= 1'b0;
    end
endmodule
