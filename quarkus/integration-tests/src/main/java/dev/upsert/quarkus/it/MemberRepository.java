package dev.upsert.quarkus.it;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepository;

@ApplicationScoped
public class MemberRepository implements PanacheRepository<Member> {
}
