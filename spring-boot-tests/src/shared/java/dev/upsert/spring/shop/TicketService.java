package dev.upsert.spring.shop;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Tickets issued in one transaction: the inserts go out when it commits. */
@Service
public class TicketService {

    private final TicketRepository tickets;

    TicketService(TicketRepository tickets) {
        this.tickets = tickets;
    }

    @Transactional
    public void issue(String... codes) {
        for (String code : codes) {
            tickets.save(new Ticket(code));
        }
    }
}
